package ops

import (
	"strings"
	"testing"
)

func TestDiskUsage(t *testing.T) {
	dir := t.TempDir()
	mounts := strings.NewReader("proc /proc proc rw 0 0\n" +
		"tmpfs /dev/shm tmpfs rw 0 0\n" +
		"/dev/root / ext4 rw 0 0\n" +
		"/dev/root / ext4 rw 0 0\n" + // the same filesystem twice
		"/dev/gone /no/such/mount ext4 rw 0 0\n")
	fss, err := DiskUsage(mounts, map[string]string{"data": dir + "/not/yet/created", "backups": dir})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	holds := 0
	for _, f := range fss {
		if f.Type == "proc" || f.Type == "tmpfs" && f.Mount == "/dev/shm" {
			t.Errorf("pseudo filesystem listed: %+v", f)
		}
		if seen[f.Mount] {
			t.Errorf("%s listed twice", f.Mount)
		}
		seen[f.Mount] = true
		if f.TotalBytes == 0 || f.UsedPct < 0 || f.UsedPct > 100 {
			t.Errorf("implausible usage %+v", f)
		}
		holds += len(f.Holds)
	}
	if !seen["/"] || holds != 2 {
		t.Fatalf("got %+v", fss)
	}
	if (Filesystem{UsedPct: 80.5}).Over(80) != true || (Filesystem{UsedPct: 80}).Over(80) {
		t.Error("Over compares wrongly")
	}
	if unescapeMount(`/mnt/my\040disk`) != "/mnt/my disk" {
		t.Error("mount escapes")
	}
	if HumanBytes(1536) != "1.5 KiB" || HumanBytes(10) != "10 B" {
		t.Errorf("HumanBytes: %s %s", HumanBytes(1536), HumanBytes(10))
	}
}
