package notify

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// headlines are the subjects of customer messages, French then English.
var headlines = map[string][2]string{
	"confirmed":        {"Commande %s confirmée", "Order %s confirmed"},
	"preparing":        {"Commande %s : en préparation", "Order %s is being prepared"},
	"ready":            {"Commande %s prête à emporter", "Order %s is ready for pickup"},
	"out_for_delivery": {"Commande %s en route", "Order %s is on its way"},
	"delivered":        {"Commande %s livrée", "Order %s delivered"},
	"cancelled":        {"Commande %s annulée", "Order %s cancelled"},
	"closed_unmade":    {"Commande %s annulée", "Order %s cancelled"},
	"refunded":         {"Commande %s remboursée", "Order %s refunded"},
}

var sentences = map[string][2]string{
	"confirmed":        {"Nous avons bien reçu votre commande.", "We have received your order."},
	"preparing":        {"Nos pizzaiolos ont commencé à la préparer.", "Our pizzaiolos have started preparing it."},
	"ready":            {"Elle vous attend au comptoir.", "It is waiting for you at the counter."},
	"out_for_delivery": {"Notre livreur est parti avec votre commande.", "Our driver has left with your order."},
	"delivered":        {"Votre commande a été livrée. Bon appétit !", "Your order has been delivered. Enjoy!"},
	"cancelled":        {"Votre commande a été annulée.", "Your order has been cancelled."},
	"closed_unmade": {"La pizzeria a fermé avant d'avoir pu préparer votre commande : elle est annulée. Un paiement en ligne vous est remboursé.",
		"The pizzeria closed before it could prepare your order: it is cancelled. A payment made online is refunded."},
	"refunded": {"Le remboursement de votre paiement est effectué.", "Your payment has been refunded."},
}

type customerView struct {
	Lang     string
	Greeting string
	Sentence string
	Order    order.Order
	Shop     pizzeria.Pizzeria
	Total    string
	Lines    []string
	Footer   string
}

var textTmpl = texttemplate.Must(texttemplate.New("t").Parse(`{{.Greeting}}

{{.Sentence}}

{{range .Lines}}- {{.}}
{{end}}Total : {{.Total}}

{{.Shop.Name}} — {{.Shop.Address.Street}}, {{.Shop.Address.Postcode}} {{.Shop.Address.City}} — {{.Shop.Phone}}
{{.Footer}}
`))

var htmlTmpl = template.Must(template.New("h").Parse(`<!doctype html><html lang="{{.Lang}}"><body style="font-family:sans-serif">
<p>{{.Greeting}}</p><p><strong>{{.Sentence}}</strong></p>
<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
<p>Total : <strong>{{.Total}}</strong></p>
<p style="color:#666">{{.Shop.Name}} — {{.Shop.Address.Street}}, {{.Shop.Address.Postcode}} {{.Shop.Address.City}} — {{.Shop.Phone}}<br>{{.Footer}}</p>
</body></html>`))

// CustomerMessage renders the message of a kind about an order, in the
// customer's language (French unless "en"), as text and HTML.
func CustomerMessage(kind, lang string, o order.Order, shop pizzeria.Pizzeria) (Message, error) {
	head, ok := headlines[kind]
	if !ok {
		return Message{}, fmt.Errorf("no message for %q", kind)
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	v := customerView{Lang: map[int]string{0: "fr", 1: "en"}[i], Sentence: sentences[kind][i], Order: o, Shop: shop, Total: catalog.FormatEuros(o.TotalCents)}
	name := strings.TrimSpace(o.Contact.Name)
	v.Greeting = map[int]string{0: "Bonjour " + name + ",", 1: "Hello " + name + ","}[i]
	v.Footer = map[int]string{0: "Commande " + o.Number + " — merci d'avoir choisi OC Pizza.", 1: "Order " + o.Number + " — thank you for choosing OC Pizza."}[i]
	for _, l := range o.Lines {
		v.Lines = append(v.Lines, fmt.Sprintf("%d × %s", l.Quantity, l.Name))
	}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return Message{}, err
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return Message{}, err
	}
	return Message{To: o.Contact.Email, Subject: fmt.Sprintf(head[i], o.Number), Text: text.String(), HTML: html.String()}, nil
}
