package event

import (
	"testing"
)

func TestPublishReachesOnlyItsTopic(t *testing.T) {
	b := NewBroker()
	shop := b.Subscribe(PizzeriaTopic(1))
	other := b.Subscribe(PizzeriaTopic(2))
	defer shop.Close()
	defer other.Close()
	if err := b.Publish(OrderCreated, map[string]int{"id": 7}, PizzeriaTopic(1), OrderTopic(7)); err != nil {
		t.Fatal(err)
	}
	ev := <-shop.C
	if ev.Kind != OrderCreated || string(ev.Data) != `{"id":7}` || ev.ID != 1 {
		t.Fatalf("got %+v", ev)
	}
	select {
	case ev := <-other.C:
		t.Fatalf("other pizzeria received %+v", ev)
	default:
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	b := NewBroker()
	slow := b.Subscribe(OrderTopic(1))
	fast := b.Subscribe(OrderTopic(1))
	for i := 0; i < bufferSize+1; i++ {
		b.Publish(OrderUpdated, i, OrderTopic(1))
		<-fast.C
	}
	n := 0
	for range slow.C { // closed after the buffer overflowed
		n++
	}
	if n != bufferSize {
		t.Fatalf("slow subscriber got %d events before being dropped, want %d", n, bufferSize)
	}
	if b.Open() != 1 {
		t.Fatalf("open = %d, want 1", b.Open())
	}
	fast.Close()
	fast.Close() // closing twice is harmless
	if b.Open() != 0 {
		t.Fatalf("open = %d after close", b.Open())
	}
}

func TestCloseAll(t *testing.T) {
	b := NewBroker()
	s := b.Subscribe(PizzeriaTopic(1))
	b.CloseAll()
	if _, ok := <-s.C; ok {
		t.Fatal("channel still open")
	}
}

func TestEndSessionClosesOnlyItsStreams(t *testing.T) {
	b := NewBroker()
	mine := b.SubscribeAs(OrderTopic(1), Owner{Session: "s1", UserID: 7})
	mine2 := b.SubscribeAs(PizzeriaTopic(1), Owner{Session: "s1", UserID: 7})
	otherSession := b.SubscribeAs(OrderTopic(1), Owner{Session: "s2", UserID: 7})
	anonymous := b.Subscribe(MenuTopic(1))
	b.Apply(SessionEnded, []byte(`{"session":"s1"}`), 0, 0)
	for _, s := range []*Subscription{mine, mine2} {
		if _, ok := <-s.C; ok {
			t.Fatal("a stream of the ended session is still open")
		}
	}
	if b.Open() != 2 {
		t.Fatalf("open = %d, want the other session's and the anonymous one", b.Open())
	}
	b.Apply(SessionEnded, []byte(`{"user_id":7}`), 0, 0)
	if _, ok := <-otherSession.C; ok {
		t.Fatal("ending the user left one of its sessions streaming")
	}
	if b.Open() != 1 {
		t.Fatalf("open = %d, want the anonymous stream alone", b.Open())
	}
	anonymous.Close()
	if len(b.owned) != 0 || len(b.subs) != 0 {
		t.Fatalf("indexes not emptied: %v %v", b.owned, b.subs)
	}
}

func TestStockChangesReachTheMenuTopicOnly(t *testing.T) {
	b := NewBroker()
	menu := b.Subscribe(MenuTopic(3))
	defer menu.Close()
	b.Apply(OrderCreated, []byte(`{"customer":"private"}`), 3, 9)
	b.Apply(StockChanged, []byte(`{"pizzeria_id":3}`), 3, 0)
	ev := <-menu.C
	if ev.Kind != StockChanged {
		t.Fatalf("menu topic got %s first: orders must not reach it", ev.Kind)
	}
}

// TestSubscribeSince: a reconnecting subscriber gets the topic's events
// after its last one while the broker keeps them, and is told to reload
// once they are gone or the id is of another run.
func TestSubscribeSince(t *testing.T) {
	b := NewBroker()
	topic, other := PizzeriaTopic(1), PizzeriaTopic(2)
	b.PublishRaw("a", []byte(`1`), topic)
	b.PublishRaw("b", []byte(`2`), other)
	b.PublishRaw("c", []byte(`3`), topic)
	sub, missed, ok := b.SubscribeSince(topic, Owner{}, b.Epoch(), 1)
	defer sub.Close()
	if !ok || len(missed) != 1 || missed[0].Kind != "c" {
		t.Fatalf("missed %+v, ok %v", missed, ok)
	}
	b.PublishRaw("d", []byte(`4`), topic)
	if ev := <-sub.C; ev.Kind != "d" {
		t.Fatalf("live after catching up: %+v", ev)
	}
	if _, _, ok := b.SubscribeSince(topic, Owner{}, "another-run", 1); ok {
		t.Fatal("an id of another run was trusted")
	}
	for i := 0; i < recentSize; i++ {
		b.PublishRaw("x", []byte(`0`), other)
	}
	if _, _, ok := b.SubscribeSince(topic, Owner{}, b.Epoch(), 1); ok {
		t.Fatal("events no longer kept were reported complete")
	}
	if _, missed, ok := b.SubscribeSince(topic, Owner{}, b.Epoch(), 4+recentSize); !ok || len(missed) != 0 {
		t.Fatal("a subscriber up to date was told to reload")
	}
}
