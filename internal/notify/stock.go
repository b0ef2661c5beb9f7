package notify

import (
	"fmt"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// lowStockTexts are the subject and body of the mail a manager gets when
// a level runs low, French then English: %[1]s the ingredient, %[2]s the
// pizzeria, %[3]d %[4]s the level, %[5]d the threshold.
var lowStockTexts = [2][2]string{
	{"Stock bas : %[1]s à %[2]s", "Bonjour,\n\nLe stock de %[1]s à %[2]s est passé sous son seuil d'alerte : il en reste %[3]d %[4]s (seuil : %[5]d %[4]s).\n\nEnregistrez la prochaine livraison sur l'écran Stock. Vous ne serez prévenu à nouveau qu'après qu'il sera remonté au-dessus du seuil.\n\nOC Pizza"},
	{"Low stock: %[1]s at %[2]s", "Hello,\n\nThe stock of %[1]s at %[2]s went under its alert threshold: %[3]d %[4]s left (threshold: %[5]d %[4]s).\n\nRecord the next delivery on the Stock screen. You will be told again only once it has been back above the threshold.\n\nOC Pizza"},
}

// LowStockMessage is the mail that tells a manager a level ran low, in
// their language.
func LowStockMessage(lang, to string, shop pizzeria.Pizzeria, l stock.Level) Message {
	i := 0
	if lang == "en" {
		i = 1
	}
	unit := string(l.Unit)
	if l.Unit == catalog.Piece {
		unit = [2]string{"pièce(s)", "piece(s)"}[i]
	}
	t := lowStockTexts[i]
	return Message{To: to, Subject: fmt.Sprintf(t[0], l.Name, shop.Name), Text: fmt.Sprintf(t[1], l.Name, shop.Name, l.Quantity, unit, l.LowThreshold)}
}
