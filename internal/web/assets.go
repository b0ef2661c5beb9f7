package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets serves the static files under names that carry a hash of their
// content ("app.3f2a9c1d.css"), so browsers may keep them forever: a new
// version is a new name.
type assets struct {
	byName map[string]string // "app.css" → "app.3f2a9c1d.css"
	files  map[string]asset  // hashed name → content
}

type asset struct {
	data        []byte
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		a.byName[name] = hashed
		a.files[hashed] = asset{data: data, contentType: mime.TypeByExtension(ext)}
		return nil
	})
	return a, err
}

// url returns the address of a static file by its plain name. An unknown
// name is a programming error that the page tests catch.
func (a *assets) url(name string) string {
	if h, ok := a.byName[name]; ok {
		return "/static/" + h
	}
	return "/static/missing/" + name
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(f.data)
}
