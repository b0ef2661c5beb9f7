// Package event is the in-process broker behind the live screens: the
// kitchen, the counter and the customer's order page subscribe to topics
// and receive what happens as it happens. A subscriber that cannot keep up
// is dropped (its channel closed) rather than slowing the publisher: it
// reconnects and reloads.
package event

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of events.
const (
	OrderCreated = "order.created"
	OrderUpdated = "order.updated"
	StockChanged = "stock.changed"
)

// Event is one thing that happened, already encoded for the wire.
type Event struct {
	ID   int64
	Kind string
	Data json.RawMessage
	At   time.Time
}

// Topic names a stream of events.
type Topic string

// PizzeriaTopic carries everything that happens in one pizzeria.
func PizzeriaTopic(id int64) Topic { return Topic("pizzeria:" + strconv.FormatInt(id, 10)) }

// OrderTopic carries the updates of one order.
func OrderTopic(id int64) Topic { return Topic("order:" + strconv.FormatInt(id, 10)) }

// Broker fans events out to subscribers.
type Broker struct {
	mu     sync.Mutex
	subs   map[Topic]map[*Subscription]struct{}
	nextID atomic.Int64
	open   atomic.Int64
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[Topic]map[*Subscription]struct{}{}} }

// Subscription receives a topic's events on C until it is closed.
type Subscription struct {
	C      <-chan Event
	c      chan Event
	topic  Topic
	broker *Broker
	once   sync.Once
}

// bufferSize is how many events a subscriber may lag behind before it is
// dropped: a busy Friday evening is a few events a second per shop.
const bufferSize = 64

// Subscribe starts receiving a topic.
func (b *Broker) Subscribe(t Topic) *Subscription {
	c := make(chan Event, bufferSize)
	s := &Subscription{C: c, c: c, topic: t, broker: b}
	b.mu.Lock()
	if b.subs[t] == nil {
		b.subs[t] = map[*Subscription]struct{}{}
	}
	b.subs[t][s] = struct{}{}
	b.mu.Unlock()
	b.open.Add(1)
	return s
}

// Close stops the subscription and closes its channel.
func (s *Subscription) Close() {
	s.once.Do(func() {
		b := s.broker
		b.mu.Lock()
		delete(b.subs[s.topic], s)
		if len(b.subs[s.topic]) == 0 {
			delete(b.subs, s.topic)
		}
		b.mu.Unlock()
		close(s.c)
		b.open.Add(-1)
	})
}

// Publish sends an event to every subscriber of the topics. It never
// blocks: a subscriber whose buffer is full is dropped.
func (b *Broker) Publish(kind string, payload any, topics ...Topic) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	b.PublishRaw(kind, data, topics...)
	return nil
}

// PublishRaw publishes an event already encoded as JSON.
func (b *Broker) PublishRaw(kind string, data json.RawMessage, topics ...Topic) {
	ev := Event{ID: b.nextID.Add(1), Kind: kind, Data: data, At: time.Now().UTC()}
	var slow []*Subscription
	b.mu.Lock()
	for _, t := range topics {
		for s := range b.subs[t] {
			select {
			case s.c <- ev:
			default:
				slow = append(slow, s)
			}
		}
	}
	b.mu.Unlock()
	for _, s := range slow {
		s.Close()
	}
}

// Open returns the number of live subscriptions.
func (b *Broker) Open() int64 { return b.open.Load() }

// CloseAll ends every subscription, telling streams to finish (used on
// shutdown so clients reconnect to another instance).
func (b *Broker) CloseAll() {
	b.mu.Lock()
	var all []*Subscription
	for _, set := range b.subs {
		for s := range set {
			all = append(all, s)
		}
	}
	b.mu.Unlock()
	for _, s := range all {
		s.Close()
	}
}

// Topics returns the topics an event about a pizzeria (and an order, when
// orderID is not 0) goes to.
func Topics(pizzeriaID, orderID int64) []Topic {
	if orderID == 0 {
		return []Topic{PizzeriaTopic(pizzeriaID)}
	}
	return []Topic{PizzeriaTopic(pizzeriaID), OrderTopic(orderID)}
}
