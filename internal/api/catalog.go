package api

import (
	"net/http"

	"github.com/oc-pizza/ocpizza/internal/catalog"
)

func (a *API) registerCatalog(mux *http.ServeMux) {
	a.route(mux, "GET /api/v1/products", a.auth(a.products))
	a.route(mux, "POST /api/v1/products", a.auth(a.createProduct))
	a.route(mux, "GET /api/v1/products/{id}", a.auth(a.product))
	a.route(mux, "PUT /api/v1/products/{id}", a.auth(a.updateProduct))
	a.route(mux, "POST /api/v1/products/{id}/retire", a.auth(a.retireProduct))
	a.route(mux, "GET /api/v1/ingredients", a.auth(a.ingredients))
	a.route(mux, "POST /api/v1/ingredients", a.auth(a.createIngredient))
	a.route(mux, "PATCH /api/v1/ingredients/{id}", a.auth(a.renameIngredient))
}

// recipeLineJSON is one ingredient of a recipe; name and unit are shown,
// and ignored when sent.
type recipeLineJSON struct {
	IngredientID int64  `json:"ingredient_id"`
	Name         string `json:"name,omitempty"`
	Unit         string `json:"unit,omitempty"`
	Quantity     int64  `json:"quantity"`
}

// productJSON is a product of the catalogue with its recipe and the
// kitchen's memo; what is sent to create or change one, less its id.
type productJSON struct {
	ID          int64            `json:"id,omitempty"`
	Category    catalog.Category `json:"category"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	// DescriptionEN: the description on the English pages ("" shows the
	// French one).
	DescriptionEN string           `json:"description_en"`
	PriceCents    int64            `json:"price_cents"`
	VATBasis      int              `json:"vat_basis_points"`
	Active        *bool            `json:"active,omitempty"`
	Recipe        []recipeLineJSON `json:"recipe"`
	Steps         []string         `json:"steps"`
	BakeSeconds   int              `json:"bake_seconds"`
	BakeCelsius   int              `json:"bake_celsius"`
	Memo          string           `json:"memo"`
}

func productOf(p catalog.Product) productJSON {
	active := p.Active
	out := productJSON{ID: p.ID, Category: p.Category, Name: p.Name, Description: p.Description, DescriptionEN: p.DescriptionEN, PriceCents: p.PriceCents, VATBasis: p.VATBasis,
		Active: &active, Recipe: []recipeLineJSON{}, Steps: p.Steps, BakeSeconds: p.BakeSeconds, BakeCelsius: p.BakeCelsius, Memo: p.Memo}
	if out.Steps == nil {
		out.Steps = []string{}
	}
	for _, l := range p.Recipe {
		out.Recipe = append(out.Recipe, recipeLineJSON{IngredientID: l.IngredientID, Name: l.Name, Unit: string(l.Unit), Quantity: l.Quantity})
	}
	return out
}

// product turns what a client sent into a product (active unless said).
func (in productJSON) product() catalog.Product {
	p := catalog.Product{Category: in.Category, Name: in.Name, Description: in.Description, DescriptionEN: in.DescriptionEN, PriceCents: in.PriceCents, VATBasis: in.VATBasis,
		Active: in.Active == nil || *in.Active, Steps: in.Steps, BakeSeconds: in.BakeSeconds, BakeCelsius: in.BakeCelsius, Memo: in.Memo}
	for _, l := range in.Recipe {
		p.Recipe = append(p.Recipe, catalog.RecipeLine{IngredientID: l.IngredientID, Quantity: l.Quantity})
	}
	return p
}

func (a *API) products(w http.ResponseWriter, r *http.Request) {
	ps, err := a.shop.Catalogue(r.Context(), actorOf(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]productJSON, len(ps))
	for i, p := range ps {
		out[i] = productOf(p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) product(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := a.shop.Recipe(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, productOf(p))
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request) {
	var in productJSON
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	in.ID = 0
	p, err := a.shop.CreateProduct(r.Context(), actorOf(r), in.product())
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/products/"+itoa(p.ID))
	writeJSON(w, http.StatusCreated, productOf(p))
}

func (a *API) updateProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in productJSON
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	p := in.product()
	p.ID = id
	p, err = a.shop.UpdateProduct(r.Context(), actorOf(r), p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, productOf(p))
}

func (a *API) retireProduct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := a.shop.RetireProduct(r.Context(), actorOf(r), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, productOf(p))
}

type ingredientJSON struct {
	ID           int64        `json:"id,omitempty"`
	Name         string       `json:"name"`
	Unit         catalog.Unit `json:"unit"`
	LowThreshold int64        `json:"low_threshold,omitempty"`
}

func (a *API) ingredients(w http.ResponseWriter, r *http.Request) {
	ins, err := a.shop.Ingredients(r.Context(), actorOf(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]ingredientJSON, len(ins))
	for i, in := range ins {
		out[i] = ingredientJSON{ID: in.ID, Name: in.Name, Unit: in.Unit}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createIngredient(w http.ResponseWriter, r *http.Request) {
	var in ingredientJSON
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	created, err := a.shop.CreateIngredient(r.Context(), actorOf(r), catalog.Ingredient{Name: in.Name, Unit: in.Unit}, in.LowThreshold)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ingredientJSON{ID: created.ID, Name: created.Name, Unit: created.Unit, LowThreshold: in.LowThreshold})
}

func (a *API) renameIngredient(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	renamed, err := a.shop.RenameIngredient(r.Context(), actorOf(r), id, in.Name)
	reply(w, r, http.StatusOK, ingredientJSON{ID: renamed.ID, Name: renamed.Name, Unit: renamed.Unit}, err)
}
