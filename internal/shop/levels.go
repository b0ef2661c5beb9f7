package shop

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// levelsCache keeps each pizzeria's stock levels in memory between the
// changes: menus are read a hundred times for each order that moves
// stock. Every change publishes a stock event, here or on another
// instance through the journal; the broker hands it to drop before any
// screen sees it, so a screen told of a change never reads the level from
// before it.
//
// A read that started before a change must not store what it read after
// the change dropped the entry: each pizzeria has a generation, bumped
// by every drop, and a read stores its levels only if the generation it
// started under is still current.
type levelsCache struct {
	mu      sync.Mutex
	gen     map[int64]uint64
	genAll  uint64 // bumped when every pizzeria's levels are dropped
	seq     uint64 // the last levels stored
	entries map[int64]cachedLevels
}

type cachedLevels struct {
	levels map[int64]int64
	until  time.Time
	seq    uint64 // names these levels, for what is computed from them
}

// generation is what a read from the database presents to store its
// answer.
type generation struct{ one, all uint64 }

// get returns the cached levels and their seq, or the generation a read
// must present.
func (c *levelsCache) get(pizzeriaID int64, now time.Time) (map[int64]int64, uint64, generation, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[pizzeriaID]; ok && now.Before(e.until) {
		return e.levels, e.seq, generation{}, true
	}
	return nil, 0, generation{c.gen[pizzeriaID], c.genAll}, false
}

// put stores levels read under gen until a time: that bounds how long levels
// changed without an event (by a command run without the server's
// journal) can show.
func (c *levelsCache) put(pizzeriaID int64, gen generation, levels map[int64]int64, until time.Time) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != (generation{c.gen[pizzeriaID], c.genAll}) {
		return 0 // changed while it was read: the next read asks again
	}
	if c.entries == nil {
		c.entries = map[int64]cachedLevels{}
	}
	c.seq++
	c.entries[pizzeriaID] = cachedLevels{levels: levels, until: until, seq: c.seq}
	return c.seq
}

// drop forgets a pizzeria's levels (every pizzeria's on 0).
func (c *levelsCache) drop(pizzeriaID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil {
		c.gen = map[int64]uint64{}
	}
	if pizzeriaID == 0 {
		c.genAll++
		clear(c.entries)
		return
	}
	c.gen[pizzeriaID]++
	delete(c.entries, pizzeriaID)
}

// observe drops the levels a stock or menu event changed.
func (c *levelsCache) observe(kind string, pizzeriaID int64) {
	if kind == event.StockChanged || kind == event.MenuChanged {
		c.drop(pizzeriaID)
	}
}

// observe is the broker's hook: stock and menu events drop what they
// change, before they reach any stream. A menu changed on another
// instance also drops this one's catalogue.
func (s *Shop) observe(kind string, pizzeriaID int64) {
	s.levels.observe(kind, pizzeriaID)
	if kind == event.MenuChanged {
		s.Forget()
	}
}

// stockLevels returns a pizzeria's levels as ingredient id → quantity,
// from memory when the shop hears of every change (it has a broker),
// from the database otherwise. The map is shared: callers only read it.
func (s *Shop) stockLevels(ctx context.Context, pizzeriaID int64) (map[int64]int64, error) {
	levels, _, err := s.stockLevelsSeq(ctx, pizzeriaID)
	return levels, err
}

// stockLevelsSeq is stockLevels with the seq naming the levels while they
// are kept (0 for levels that are not).
func (s *Shop) stockLevelsSeq(ctx context.Context, pizzeriaID int64) (map[int64]int64, uint64, error) {
	if s.Events == nil {
		levels, err := s.Store.StockQuantities(ctx, pizzeriaID)
		return levels, 0, err
	}
	now := time.Now()
	levels, seq, gen, ok := s.levels.get(pizzeriaID, now)
	if ok {
		return levels, seq, nil
	}
	levels, err := s.Store.StockQuantities(ctx, pizzeriaID)
	if err != nil {
		return nil, 0, err
	}
	return levels, s.levels.put(pizzeriaID, gen, levels, now.Add(s.Refresh)), nil
}

// builtMenu is a pizzeria's menu computed from one catalogue and one
// set of levels, with its JSON: read a hundred times for each change,
// it is built once.
type builtMenu struct {
	seq   uint64
	snap  *catalogSnapshot
	items []MenuItem
	json  []byte
}

// menu returns the pizzeria's menu, built again only when its levels or
// the catalogue changed.
func (s *Shop) menu(ctx context.Context, pizzeriaID int64) (*builtMenu, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	levels, seq, err := s.stockLevelsSeq(ctx, pizzeriaID)
	if err != nil {
		return nil, err
	}
	if seq != 0 {
		if v, ok := s.menus.Load(pizzeriaID); ok {
			if m := v.(*builtMenu); m.seq == seq && m.snap == snap {
				return m, nil
			}
		}
	}
	m := &builtMenu{seq: seq, snap: snap, items: make([]MenuItem, 0, len(snap.products))}
	off := snap.offMenu[pizzeriaID]
	for _, p := range snap.products {
		if _, gone := off[p.ID]; !p.Active || gone {
			continue
		}
		m.items = append(m.items, MenuItem{ProductID: p.ID, Name: p.Name, Category: p.Category, Description: p.Description, DescriptionEN: p.DescriptionEN,
			PriceCents: p.PriceCents, Available: stock.Makeable(p.Recipe, levels)})
	}
	if m.json, err = json.Marshal(m.items); err != nil {
		return nil, err
	}
	m.json = append(m.json, '\n')
	if seq != 0 {
		s.menus.Store(pizzeriaID, m)
	}
	return m, nil
}
