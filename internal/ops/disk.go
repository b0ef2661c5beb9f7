package ops

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Filesystem is one mounted filesystem's usage.
type Filesystem struct {
	Mount      string
	Device     string
	Type       string
	TotalBytes uint64
	FreeBytes  uint64 // available to unprivileged users, as df shows
	UsedPct    float64
	Holds      []string // which of our directories live here
}

// Over reports whether the filesystem is used beyond maxPct percent.
func (f Filesystem) Over(maxPct int) bool { return f.UsedPct > float64(maxPct) }

// pseudo lists filesystem types that hold no disk space.
var pseudo = map[string]bool{
	"proc": true, "sysfs": true, "devtmpfs": true, "devpts": true, "tmpfs": true, "cgroup": true, "cgroup2": true,
	"securityfs": true, "pstore": true, "debugfs": true, "tracefs": true, "mqueue": true, "hugetlbfs": true,
	"bpf": true, "configfs": true, "fusectl": true, "autofs": true, "binfmt_misc": true, "rpc_pipefs": true,
	"nsfs": true, "ramfs": true, "efivarfs": true, "squashfs": true, "selinuxfs": true,
}

// DiskUsage reports every real mounted filesystem (read from mounts, e.g.
// /proc/self/mounts) and the ones holding the given directories, each
// filesystem once.
func DiskUsage(mounts io.Reader, dirs map[string]string) ([]Filesystem, error) {
	byDev := map[uint64]*Filesystem{}
	var order []uint64
	add := func(mount, device, fstype string) (*Filesystem, error) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(mount, &st); err != nil {
			return nil, err
		}
		var fi syscall.Stat_t
		if err := syscall.Stat(mount, &fi); err != nil {
			return nil, err
		}
		if fs, ok := byDev[fi.Dev]; ok {
			return fs, nil
		}
		total := st.Blocks * uint64(st.Bsize)
		free := st.Bavail * uint64(st.Bsize)
		used := (st.Blocks - st.Bfree) * uint64(st.Bsize)
		fs := &Filesystem{Mount: mount, Device: device, Type: fstype, TotalBytes: total, FreeBytes: free}
		if used+free > 0 {
			fs.UsedPct = 100 * float64(used) / float64(used+free)
		}
		byDev[fi.Dev] = fs
		order = append(order, fi.Dev)
		return fs, nil
	}
	sc := bufio.NewScanner(mounts)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || pseudo[f[2]] || !strings.HasPrefix(f[1], "/") {
			continue
		}
		if _, err := add(unescapeMount(f[1]), f[0], f[2]); err != nil {
			continue // a mount we may not read (another namespace's): skip it
		}
	}
	names := make([]string, 0, len(dirs))
	for name := range dirs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dir := existingParent(dirs[name])
		fs, err := add(dir, "", "")
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", name, dirs[name], err)
		}
		fs.Holds = append(fs.Holds, name)
	}
	out := make([]Filesystem, 0, len(order))
	for _, d := range order {
		out = append(out, *byDev[d])
	}
	return out, sc.Err()
}

// existingParent walks up to the nearest directory that exists, so a data
// directory not yet created is measured where it will be.
func existingParent(p string) string {
	p, _ = filepath.Abs(p)
	for {
		if _, err := os.Stat(p); err == nil || p == "/" {
			return p
		}
		p = filepath.Dir(p)
	}
}

// unescapeMount decodes the octal escapes of /proc/mounts (\040 is a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// HumanBytes renders a size as df -h would.
func HumanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
