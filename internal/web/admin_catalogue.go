package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

type catalogueData struct {
	Office
	Products    []catalog.Product
	Ingredients []catalog.Ingredient
	// The new ingredient's form, as typed.
	Name, InUnit, Threshold string
	// The renaming form, as typed.
	RenameID int64
	NewName  string
}

var catalogueNotices = map[string]string{"created": "admin.catalogue.done.created", "saved": "admin.catalogue.done.saved",
	"retired": "admin.catalogue.done.retired", "ingredient": "admin.catalogue.done.ingredient", "renamed": "admin.catalogue.done.renamed"}

func (p *Pages) adminCatalogue(w http.ResponseWriter, r *http.Request) {
	p.cataloguePage(w, r, nil)
}

// cataloguePage lists the products and the ingredients; after a refused
// new ingredient, with its error and what was typed.
func (p *Pages) cataloguePage(w http.ResponseWriter, r *http.Request, failure error) {
	actor := actorOf(r)
	d := catalogueData{Office: p.adminPage(r, "/catalogue", "admin.catalogue.title"), InUnit: string(catalog.Gram)}
	var err error
	if d.Products, err = p.shop.Catalogue(r.Context(), actor); err != nil {
		p.errorPage(w, r, err)
		return
	}
	if d.Ingredients, err = p.shop.Ingredients(r.Context(), actor); err != nil {
		p.errorPage(w, r, err)
		return
	}
	done(&d.Page, r, catalogueNotices)
	status := http.StatusOK
	if failure != nil {
		if r.URL.Path == "/admin/ingredients/rename" {
			d.RenameID, _ = strconv.ParseInt(r.PostFormValue("ingredient"), 10, 64)
			d.NewName = r.PostFormValue("name")
		} else {
			d.Name, d.InUnit, d.Threshold = r.PostFormValue("name"), r.PostFormValue("unit"), r.PostFormValue("threshold")
		}
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "admin/catalogue", d)
}

func (p *Pages) adminIngredientAdd(w http.ResponseWriter, r *http.Request) {
	threshold, _, err := formInt(r, "threshold")
	if err == nil {
		in := catalog.Ingredient{Name: r.PostFormValue("name"), Unit: catalog.Unit(r.PostFormValue("unit"))}
		_, err = p.shop.CreateIngredient(r.Context(), actorOf(r), in, threshold)
	}
	if err != nil {
		p.cataloguePage(w, r, err)
		return
	}
	redirect(w, r, "/admin/catalogue?done=ingredient")
}

// adminIngredientRename corrects an ingredient's name; its unit stays.
func (p *Pages) adminIngredientRename(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PostFormValue("ingredient"), 10, 64)
	if err != nil {
		err = errs.E(errs.Invalid, "choose the ingredient to rename").With("field", "ingredient")
	} else {
		_, err = p.shop.RenameIngredient(r.Context(), actorOf(r), id, r.PostFormValue("name"))
	}
	if err != nil {
		p.cataloguePage(w, r, err)
		return
	}
	redirect(w, r, "/admin/catalogue?done=renamed")
}

// recipeInput is one ingredient of the product form: its quantity in the
// recipe, blank when it is not in it.
type recipeInput struct {
	catalog.Ingredient
	Quantity string
}

// productForm is the product form as typed.
type productForm struct {
	ID                            int64
	Category                      catalog.Category
	Name, Description, Price, VAT string
	DescriptionEN                 string
	Active                        bool
	Steps, Memo                   string
	BakeSeconds, BakeCelsius      string
	Recipe                        []recipeInput
}

type productData struct {
	Office
	Form       productForm
	Categories []catalog.Category
}

func (p *Pages) adminProductNew(w http.ResponseWriter, r *http.Request) {
	p.productPage(w, r, productForm{Category: catalog.Pizza, VAT: "1000", Active: true}, nil)
}

func (p *Pages) adminProductEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	pr, err := p.shop.Recipe(r.Context(), actorOf(r), id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	f := productForm{ID: pr.ID, Category: pr.Category, Name: pr.Name, Description: pr.Description, DescriptionEN: pr.DescriptionEN, Price: euros(pr.PriceCents),
		VAT: strconv.Itoa(pr.VATBasis), Active: pr.Active, Steps: strings.Join(pr.Steps, "\n"), Memo: pr.Memo,
		BakeSeconds: strconv.Itoa(pr.BakeSeconds), BakeCelsius: strconv.Itoa(pr.BakeCelsius)}
	for _, l := range pr.Recipe {
		f.Recipe = append(f.Recipe, recipeInput{Ingredient: catalog.Ingredient{ID: l.IngredientID}, Quantity: strconv.FormatInt(l.Quantity, 10)})
	}
	p.productPage(w, r, f, nil)
}

// productPage renders the product form, every ingredient a line of the
// recipe; after a refusal, with its error and what was typed.
func (p *Pages) productPage(w http.ResponseWriter, r *http.Request, f productForm, failure error) {
	title := "admin.product.new"
	if f.ID != 0 {
		title = "admin.product.edit"
	}
	d := productData{Office: p.adminPage(r, "/catalogue", title, f.Name), Categories: []catalog.Category{catalog.Pizza, catalog.Drink, catalog.Dessert}}
	ins, err := p.shop.Ingredients(r.Context(), actorOf(r))
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	typed := map[int64]string{}
	for _, l := range f.Recipe {
		typed[l.ID] = l.Quantity
	}
	f.Recipe = nil
	for _, in := range ins {
		f.Recipe = append(f.Recipe, recipeInput{Ingredient: in, Quantity: typed[in.ID]})
	}
	d.Form = f
	status := http.StatusOK
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "admin/product", d)
}

// adminProductSave creates the product of the form, or saves the one of
// the path.
func (p *Pages) adminProductSave(w http.ResponseWriter, r *http.Request) {
	f := productForm{Category: catalog.Category(r.PostFormValue("category")), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), DescriptionEN: r.PostFormValue("description_en"),
		Price: r.PostFormValue("price"), VAT: r.PostFormValue("vat"), Active: r.PostFormValue("active") == "1", Steps: r.PostFormValue("steps"),
		Memo: r.PostFormValue("memo"), BakeSeconds: r.PostFormValue("bake_seconds"), BakeCelsius: r.PostFormValue("bake_celsius")}
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			p.errorPage(w, r, err)
			return
		}
		f.ID = id
	}
	for key, v := range r.PostForm {
		if id, ok := strings.CutPrefix(key, "r-"); ok {
			n, _ := strconv.ParseInt(id, 10, 64)
			f.Recipe = append(f.Recipe, recipeInput{Ingredient: catalog.Ingredient{ID: n}, Quantity: strings.TrimSpace(v[0])})
		}
	}
	pr, err := f.product()
	if err == nil {
		if f.ID == 0 {
			_, err = p.shop.CreateProduct(r.Context(), actorOf(r), pr)
		} else {
			_, err = p.shop.UpdateProduct(r.Context(), actorOf(r), pr)
		}
	}
	if err != nil {
		p.productPage(w, r, f, err)
		return
	}
	notice := "saved"
	if f.ID == 0 {
		notice = "created"
	}
	redirect(w, r, "/admin/catalogue?done="+notice)
}

// product reads the typed form into a product.
func (f productForm) product() (catalog.Product, error) {
	pr := catalog.Product{ID: f.ID, Category: f.Category, Name: f.Name, Description: f.Description, DescriptionEN: f.DescriptionEN, Active: f.Active, Memo: f.Memo}
	var err error
	if pr.PriceCents, err = catalog.ParseEuros(f.Price); err != nil {
		return pr, err
	}
	if pr.VATBasis, err = strconv.Atoi(f.VAT); err != nil {
		return pr, errNotANumber(f.VAT)
	}
	for _, s := range []struct {
		into *int
		v    string
	}{{&pr.BakeSeconds, f.BakeSeconds}, {&pr.BakeCelsius, f.BakeCelsius}} {
		if v := strings.TrimSpace(s.v); v != "" {
			if *s.into, err = strconv.Atoi(v); err != nil {
				return pr, errNotANumber(v)
			}
		}
	}
	for _, line := range strings.Split(f.Steps, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			pr.Steps = append(pr.Steps, line)
		}
	}
	for _, l := range f.Recipe {
		if l.Quantity == "" {
			continue
		}
		q, err := strconv.ParseInt(l.Quantity, 10, 64)
		if err != nil {
			return pr, errNotANumber(l.Quantity)
		}
		if q != 0 {
			pr.Recipe = append(pr.Recipe, catalog.RecipeLine{IngredientID: l.ID, Quantity: q})
		}
	}
	return pr, nil
}

func (p *Pages) adminProductRetire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if _, err := p.shop.RetireProduct(r.Context(), actorOf(r), id); err != nil {
		p.errorPage(w, r, err)
		return
	}
	redirect(w, r, "/admin/catalogue?done=retired")
}

// euros writes cents as the price field shows them: "11,50".
func euros(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "," + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}
