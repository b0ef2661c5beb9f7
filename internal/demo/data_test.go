package demo

import "testing"

// TestEveryProductIsDescribedInEnglish: the English menu shows the
// descriptions of descriptionsEN; a product added without one, or one
// renamed, would show its French text there.
func TestEveryProductIsDescribedInEnglish(t *testing.T) {
	named := map[string]bool{}
	for _, p := range products {
		named[p.name] = true
		if descriptionsEN[p.name] == "" {
			t.Errorf("%s has no English description", p.name)
		}
	}
	for name := range descriptionsEN {
		if !named[name] {
			t.Errorf("an English description for %s, which is no product", name)
		}
	}
}
