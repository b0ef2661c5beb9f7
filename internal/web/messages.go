package web

// messages is the catalogue of interface texts: French first, English
// beside it. A key missing in English falls back to French.
var messages = map[string][2]string{
	"title":             {"OC Pizza — nos pizzerias", "OC Pizza — our pizzerias"},
	"tagline":           {"Pizzas au feu de bois, en livraison ou à emporter, dans cinq quartiers de Lyon.", "Wood-fired pizzas, delivered or to take away, in five Lyon neighbourhoods."},
	"open":              {"Ouvert", "Open"},
	"closed":            {"Fermé", "Closed"},
	"delivers":          {"Livre les codes postaux", "Delivers to postcodes"},
	"left":              {"restantes", "left"},
	"unavailable":       {"Épuisée", "Sold out"},
	"updated":           {"Disponibilités au", "Availability as of"},
	"api":               {"API JSON pour les applications", "JSON API for applications"},
	"pizza":             {"Pizzas", "Pizzas"},
	"drink":             {"Boissons", "Drinks"},
	"dessert":           {"Desserts", "Desserts"},
	"other_lang":        {"English", "Français"},
	"maintenance_title": {"Site en maintenance", "Down for maintenance"},
	"maintenance_body":  {"Nous revenons dans quelques minutes. Vos commandes en cours sont bien préparées et livrées.", "We will be back in a few minutes. Orders already placed are being prepared and delivered."},
}

func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" && m[1] != "" {
		return m[1]
	}
	return m[0]
}
