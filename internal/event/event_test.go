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
