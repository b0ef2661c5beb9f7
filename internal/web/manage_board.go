package web

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// boardOrder is an order as the board lists it.
type boardOrder struct {
	order.Order
	Status   string
	Promised string
	Late     bool
}

// statusCount is how many orders in progress are at one status.
type statusCount struct {
	Status string
	Count  int
}

type boardData struct {
	Office
	Board  shop.Board
	Orders []boardOrder
	Counts []statusCount
	Active int
}

// manageBoard is the manager's live board: orders in progress by status,
// late ones first, today's takings, the stock running low.
func (p *Pages) manageBoard(w http.ResponseWriter, r *http.Request) {
	o, ps, ok := p.managePage(w, r, "", "manage.board.title")
	if !ok {
		return
	}
	b, err := p.shop.Board(r.Context(), actorOf(r), ps.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := boardData{Office: o, Board: b}
	d.Live = "/manage/" + strconv.FormatInt(ps.ID, 10) + "/live"
	d.Orders, d.Counts, d.Active = boardOrders(d.Page, b)
	p.render(w, r, http.StatusOK, "manage/board", d)
}

// boardOrders words a board's orders and counts for the page.
func boardOrders(pg Page, b shop.Board) ([]boardOrder, []statusCount, int) {
	var orders []boardOrder
	for _, o := range b.Orders {
		orders = append(orders, boardOrder{Order: o, Status: pg.T(stepKey(o.Fulfilment, o.Status)), Promised: pg.Clock(o.PromisedAt()), Late: o.LateAt(b.At)})
	}
	var counts []statusCount
	active := 0
	for _, st := range order.Active {
		counts = append(counts, statusCount{Status: pg.T("step." + string(st)), Count: b.Counts[st]})
		active += b.Counts[st]
	}
	return orders, counts, active
}
