package demo

import (
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Five pizzerias in Lyon, on real streets.
func shops() []pizzeria.Pizzeria {
	return []pizzeria.Pizzeria{
		{Code: "REP", Name: "OC Pizza République", Phone: "04 78 42 10 01",
			Address: pizzeria.Address{Street: "45 rue de la République", Postcode: "69002", City: "Lyon"}, DeliveryPostcodes: []string{"69001", "69002"}},
		{Code: "CRX", Name: "OC Pizza Croix-Rousse", Phone: "04 78 28 10 02",
			Address: pizzeria.Address{Street: "112 boulevard de la Croix-Rousse", Postcode: "69004", City: "Lyon"}, DeliveryPostcodes: []string{"69001", "69004"}},
		{Code: "GUI", Name: "OC Pizza Guillotière", Phone: "04 78 72 10 03",
			Address: pizzeria.Address{Street: "23 grande rue de la Guillotière", Postcode: "69007", City: "Lyon"}, DeliveryPostcodes: []string{"69003", "69007"}},
		{Code: "BRO", Name: "OC Pizza Brotteaux", Phone: "04 78 24 10 04",
			Address: pizzeria.Address{Street: "60 cours Vitton", Postcode: "69006", City: "Lyon"}, DeliveryPostcodes: []string{"69003", "69006"}},
		{Code: "VAI", Name: "OC Pizza Vaise", Phone: "04 78 83 10 05",
			Address: pizzeria.Address{Street: "15 rue de Bourgogne", Postcode: "69009", City: "Lyon"}, DeliveryPostcodes: []string{"69005", "69009"}},
	}
}

// hours: lunch and dinner every day, later on Friday and Saturday, no
// Monday lunch.
func hours() []pizzeria.Hours {
	var out []pizzeria.Hours
	for d := time.Sunday; d <= time.Saturday; d++ {
		if d != time.Monday {
			out = append(out, pizzeria.Hours{Weekday: d, Open: 11*60 + 30, Close: 14 * 60})
		}
		closing := 23 * 60
		if d == time.Friday || d == time.Saturday {
			closing = 23*60 + 30
		}
		out = append(out, pizzeria.Hours{Weekday: d, Open: 18 * 60, Close: closing})
	}
	return out
}

// ingredient is an ingredient with its demo stock: the usual level in a
// shop and the alert threshold.
type ingredient struct {
	name      string
	unit      catalog.Unit
	usual     int64
	threshold int64
}

var ingredients = []ingredient{
	{"Pâte à pizza", catalog.Gram, 30000, 5000},
	{"Sauce tomate", catalog.Gram, 12000, 2000},
	{"Crème fraîche", catalog.Gram, 5000, 800},
	{"Mozzarella fior di latte", catalog.Gram, 15000, 3000},
	{"Gorgonzola", catalog.Gram, 2000, 400},
	{"Fromage de chèvre", catalog.Gram, 2500, 500},
	{"Parmigiano reggiano", catalog.Gram, 2000, 300},
	{"Reblochon", catalog.Gram, 3000, 600},
	{"Jambon blanc", catalog.Gram, 4000, 800},
	{"Jambon cru de Parme", catalog.Gram, 2000, 400},
	{"Chorizo", catalog.Gram, 2500, 500},
	{"Poulet rôti", catalog.Gram, 3000, 600},
	{"Merguez", catalog.Gram, 2500, 500},
	{"Lardons fumés", catalog.Gram, 3000, 600},
	{"Anchois", catalog.Gram, 800, 150},
	{"Thon", catalog.Gram, 2500, 500},
	{"Champignons de Paris", catalog.Gram, 4000, 800},
	{"Poivrons", catalog.Gram, 3000, 500},
	{"Oignons rouges", catalog.Gram, 3000, 500},
	{"Olives noires", catalog.Gram, 1500, 300},
	{"Artichauts", catalog.Gram, 2000, 400},
	{"Tomates cerises", catalog.Gram, 3000, 500},
	{"Roquette", catalog.Gram, 1000, 200},
	{"Basilic frais", catalog.Gram, 300, 50},
	{"Œuf", catalog.Piece, 60, 12},
	{"Miel", catalog.Gram, 1000, 150},
	{"Pommes de terre", catalog.Gram, 5000, 1000},
	{"Huile d'olive", catalog.Millilitre, 5000, 1000},
	{"Ail", catalog.Gram, 500, 100},
	{"Origan", catalog.Gram, 300, 50},
	{"Câpres", catalog.Gram, 500, 100},
	{"Coca-Cola 33 cl", catalog.Piece, 96, 24},
	{"Orangina 33 cl", catalog.Piece, 48, 12},
	{"Eau minérale 50 cl", catalog.Piece, 96, 24},
	{"San Pellegrino 50 cl", catalog.Piece, 48, 12},
	{"Bière blonde 33 cl", catalog.Piece, 72, 24},
	{"Tiramisu", catalog.Piece, 20, 5},
	{"Panna cotta", catalog.Piece, 20, 5},
	{"Fondant au chocolat", catalog.Piece, 20, 5},
}

// scarce makes a few pizzas scarce in some shops: shop code → ingredient
// → level.
var scarce = map[string]map[string]int64{
	"CRX": {"Gorgonzola": 0, "Tiramisu": 2},
	"GUI": {"Fromage de chèvre": 250},
	"BRO": {"Merguez": 240, "Bière blonde 33 cl": 5},
	"VAI": {"Jambon cru de Parme": 150, "Mozzarella fior di latte": 2400},
}

type recipeItem struct {
	ingredient string
	quantity   int64
}

type product struct {
	category    catalog.Category
	name        string
	description string
	priceCents  int64
	vatBasis    int
	recipe      []recipeItem
	memo        string
}

// Base of every pizza: 250 g of dough stretched to 31 cm.
const base = "Étaler 250 g de pâte à 31 cm, bord de 1,5 cm. "

var products = []product{
	{catalog.Pizza, "Margherita", "Sauce tomate, mozzarella fior di latte, basilic frais, huile d'olive.", 950, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 120}, {"Basilic frais", 3}, {"Huile d'olive", 5}},
		base + "80 g de sauce en spirale, mozzarella déchirée. Four 450 °C, 90 s. Basilic et filet d'huile en sortie de four."},
	{catalog.Pizza, "Marinara", "Sauce tomate, ail, origan, huile d'olive. Sans fromage.", 850, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 100}, {"Ail", 5}, {"Origan", 2}, {"Huile d'olive", 10}},
		base + "100 g de sauce, ail émincé finement, origan. Four 450 °C, 80 s. Huile d'olive en sortie."},
	{catalog.Pizza, "Regina", "Sauce tomate, mozzarella, jambon blanc, champignons.", 1150, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Jambon blanc", 60}, {"Champignons de Paris", 50}},
		base + "Sauce, mozzarella, jambon en lanières, champignons émincés par-dessus. Four 450 °C, 100 s."},
	{catalog.Pizza, "Quatre fromages", "Crème, mozzarella, gorgonzola, chèvre, parmesan.", 1350, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Crème fraîche", 60}, {"Mozzarella fior di latte", 80}, {"Gorgonzola", 40}, {"Fromage de chèvre", 40}, {"Parmigiano reggiano", 15}},
		base + "Base crème. Répartir les quatre fromages en quartiers, parmesan râpé sur le tout. Four 430 °C, 110 s (le gorgonzola brûle vite)."},
	{catalog.Pizza, "Calzone", "Chausson : sauce tomate, mozzarella, jambon, œuf.", 1250, 1000,
		[]recipeItem{{"Pâte à pizza", 280}, {"Sauce tomate", 60}, {"Mozzarella fior di latte", 100}, {"Jambon blanc", 60}, {"Œuf", 1}},
		"Étaler 280 g de pâte à 31 cm. Garnir une moitié, casser l'œuf au centre, replier et souder le bord au pouce. Deux entailles sur le dessus. Four 420 °C, 150 s."},
	{catalog.Pizza, "Napolitaine", "Sauce tomate, mozzarella, anchois, câpres, olives noires.", 1100, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Anchois", 25}, {"Câpres", 8}, {"Olives noires", 20}},
		base + "Sauce, mozzarella, anchois en étoile, câpres et olives. Four 450 °C, 90 s."},
	{catalog.Pizza, "Diavola", "Sauce tomate, mozzarella, chorizo piquant, poivrons.", 1250, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Chorizo", 50}, {"Poivrons", 40}},
		base + "Sauce, mozzarella, chorizo en rondelles fines, poivrons en lanières. Four 450 °C, 95 s."},
	{catalog.Pizza, "Végétarienne", "Sauce tomate, mozzarella, poivrons, champignons, oignons rouges, artichauts, olives.", 1200, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Poivrons", 30}, {"Champignons de Paris", 30}, {"Oignons rouges", 20}, {"Artichauts", 30}, {"Olives noires", 15}},
		base + "Légumes en couche fine pour qu'ils cuisent : pas plus d'un centimètre. Four 450 °C, 100 s."},
	{catalog.Pizza, "Chèvre miel", "Crème, mozzarella, chèvre, miel, roquette.", 1300, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Crème fraîche", 60}, {"Mozzarella fior di latte", 80}, {"Fromage de chèvre", 80}, {"Miel", 15}, {"Roquette", 15}},
		base + "Base crème, mozzarella, rondelles de chèvre. Four 440 °C, 100 s. Miel en filet et roquette en sortie de four."},
	{catalog.Pizza, "Savoyarde", "Crème, mozzarella, pommes de terre, lardons, reblochon, oignons.", 1450, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Crème fraîche", 60}, {"Mozzarella fior di latte", 60}, {"Pommes de terre", 80}, {"Lardons fumés", 50}, {"Reblochon", 70}, {"Oignons rouges", 20}},
		base + "Base crème, pommes de terre cuites en rondelles, lardons, oignons, reblochon coupé en deux dans l'épaisseur, croûte vers le haut. Four 430 °C, 130 s."},
	{catalog.Pizza, "Orientale", "Sauce tomate, mozzarella, merguez, poivrons, oignons, œuf.", 1350, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 90}, {"Merguez", 80}, {"Poivrons", 30}, {"Oignons rouges", 20}, {"Œuf", 1}},
		base + "Merguez précuites en tronçons. Œuf cassé au centre à mi-cuisson. Four 440 °C, 120 s."},
	{catalog.Pizza, "Tonno", "Sauce tomate, mozzarella, thon, oignons rouges, olives.", 1200, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Thon", 70}, {"Oignons rouges", 20}, {"Olives noires", 15}},
		base + "Thon bien égoutté, émietté. Four 450 °C, 95 s."},
	{catalog.Pizza, "Parma", "Sauce tomate, mozzarella, jambon cru de Parme, roquette, parmesan.", 1450, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Jambon cru de Parme", 50}, {"Roquette", 15}, {"Parmigiano reggiano", 10}},
		base + "Cuire sauce et mozzarella. Four 450 °C, 90 s. En sortie : jambon cru, roquette, copeaux de parmesan. Le jambon ne va jamais au four."},
	{catalog.Pizza, "Capricciosa", "Sauce tomate, mozzarella, jambon, champignons, artichauts, olives.", 1350, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Sauce tomate", 80}, {"Mozzarella fior di latte", 100}, {"Jambon blanc", 50}, {"Champignons de Paris", 30}, {"Artichauts", 40}, {"Olives noires", 15}},
		base + "Garnitures en quartiers, comme le veut la tradition. Four 450 °C, 100 s."},
	{catalog.Pizza, "Poulet tomates cerises", "Crème, mozzarella, poulet rôti, tomates cerises, oignons rouges, basilic.", 1350, 1000,
		[]recipeItem{{"Pâte à pizza", 250}, {"Crème fraîche", 60}, {"Mozzarella fior di latte", 90}, {"Poulet rôti", 70}, {"Tomates cerises", 50}, {"Oignons rouges", 15}, {"Basilic frais", 2}},
		base + "Base crème, poulet effiloché, tomates cerises coupées en deux. Four 440 °C, 110 s. Basilic en sortie."},
	{catalog.Drink, "Coca-Cola 33 cl", "Canette.", 300, 550, []recipeItem{{"Coca-Cola 33 cl", 1}}, ""},
	{catalog.Drink, "Orangina 33 cl", "Canette.", 300, 550, []recipeItem{{"Orangina 33 cl", 1}}, ""},
	{catalog.Drink, "Eau minérale 50 cl", "Bouteille.", 200, 550, []recipeItem{{"Eau minérale 50 cl", 1}}, ""},
	{catalog.Drink, "San Pellegrino 50 cl", "Eau gazeuse.", 300, 550, []recipeItem{{"San Pellegrino 50 cl", 1}}, ""},
	{catalog.Drink, "Bière blonde 33 cl", "Bière italienne, 5 % vol. L'abus d'alcool est dangereux pour la santé.", 400, 2000, []recipeItem{{"Bière blonde 33 cl", 1}}, ""},
	{catalog.Dessert, "Tiramisu", "Maison, au mascarpone et café.", 550, 550, []recipeItem{{"Tiramisu", 1}}, "Servir froid, saupoudrer de cacao au dernier moment."},
	{catalog.Dessert, "Panna cotta", "Coulis de fruits rouges.", 500, 550, []recipeItem{{"Panna cotta", 1}}, "Napper le coulis au moment de servir."},
	{catalog.Dessert, "Fondant au chocolat", "Cœur coulant.", 550, 550, []recipeItem{{"Fondant au chocolat", 1}}, "Réchauffer 20 s à l'entrée du four, pas plus."},
}

// Customers of the demo, with a delivery address each.
var customers = []struct {
	name, email, phone string
	street, postcode   string
}{
	{"Marie Durand", "marie.durand@example.fr", "06 12 34 56 01", "8 rue Mercière", "69002"},
	{"Karim Benali", "karim.benali@example.fr", "06 12 34 56 02", "3 rue d'Austerlitz", "69004"},
	{"Sophie Martin", "sophie.martin@example.fr", "06 12 34 56 03", "27 rue de Marseille", "69007"},
	{"Lucas Bernard", "lucas.bernard@example.fr", "06 12 34 56 04", "14 rue Duguesclin", "69006"},
	{"Chloé Petit", "chloe.petit@example.fr", "06 12 34 56 05", "5 rue du Bourbonnais", "69009"},
}

// descriptionsEN are the menu's descriptions for the English pages, by
// product name.
var descriptionsEN = map[string]string{
	"Margherita":             "Tomato sauce, fior di latte mozzarella, fresh basil, olive oil.",
	"Marinara":               "Tomato sauce, garlic, oregano, olive oil. No cheese.",
	"Regina":                 "Tomato sauce, mozzarella, ham, mushrooms.",
	"Quatre fromages":        "Cream, mozzarella, gorgonzola, goat's cheese, parmesan.",
	"Calzone":                "Folded: tomato sauce, mozzarella, ham, egg.",
	"Napolitaine":            "Tomato sauce, mozzarella, anchovies, capers, black olives.",
	"Diavola":                "Tomato sauce, mozzarella, spicy chorizo, peppers.",
	"Végétarienne":           "Tomato sauce, mozzarella, peppers, mushrooms, red onions, artichokes, olives.",
	"Chèvre miel":            "Cream, mozzarella, goat's cheese, honey, rocket.",
	"Savoyarde":              "Cream, mozzarella, potatoes, bacon, reblochon cheese, onions.",
	"Orientale":              "Tomato sauce, mozzarella, merguez sausage, peppers, onions, egg.",
	"Tonno":                  "Tomato sauce, mozzarella, tuna, red onions, olives.",
	"Parma":                  "Tomato sauce, mozzarella, Parma ham, rocket, parmesan.",
	"Capricciosa":            "Tomato sauce, mozzarella, ham, mushrooms, artichokes, olives.",
	"Poulet tomates cerises": "Cream, mozzarella, roast chicken, cherry tomatoes, red onions, basil.",
	"Coca-Cola 33 cl":        "Can.",
	"Orangina 33 cl":         "Can.",
	"Eau minérale 50 cl":     "Still water, bottle.",
	"San Pellegrino 50 cl":   "Sparkling water.",
	"Bière blonde 33 cl":     "Italian lager, 5% ABV. Drink responsibly.",
	"Tiramisu":               "Home-made, with mascarpone and coffee.",
	"Panna cotta":            "Red berry coulis.",
	"Fondant au chocolat":    "Molten chocolate cake.",
}
