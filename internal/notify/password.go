package notify

import "fmt"

// passwordTexts are the subject and body of the mails that carry a
// password link, French then English: %[1]s is the name, %[2]s the link.
var passwordTexts = map[string][2][2]string{
	"reset": {
		{"Votre mot de passe OC Pizza", "Bonjour %[1]s,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n\n%[2]s\n\nLe lien ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n\nOC Pizza"},
		{"Your OC Pizza password", "Hello %[1]s,\n\nTo choose a new password, open this link within the hour:\n\n%[2]s\n\nThe link works once. If you did not ask for it, ignore this message: your password stays as it is.\n\nOC Pizza"},
	},
	"invite": {
		{"Bienvenue chez OC Pizza", "Bonjour %[1]s,\n\nUn compte OC Pizza vous attend. Choisissez votre mot de passe en ouvrant ce lien (valable 3 jours) :\n\n%[2]s\n\nOC Pizza"},
		{"Welcome to OC Pizza", "Hello %[1]s,\n\nAn OC Pizza account is waiting for you. Choose your password by opening this link (valid for 3 days):\n\n%[2]s\n\nOC Pizza"},
	},
}

// PasswordMessage is the mail that carries a link to set a password, for
// purpose "reset" or "invite", in the user's language.
func PasswordMessage(purpose, lang, to, name, link string) (Message, error) {
	t, ok := passwordTexts[purpose]
	if !ok {
		return Message{}, fmt.Errorf("no password message for %q", purpose)
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	return Message{To: to, Subject: t[i][0], Text: fmt.Sprintf(t[i][1], name, link)}, nil
}

// teamTexts tell an existing account that a manager put it on a
// pizzeria's team: %[1]s is the name, %[2]s the pizzeria, %[3]s the role,
// %[4]s the site's address. Nobody asked them; they must hear of it.
var teamTexts = [2][2]string{
	{"Vous faites partie de l'équipe de %[2]s", "Bonjour %[1]s,\n\nVotre compte OC Pizza a été ajouté à l'équipe de %[2]s, avec le rôle : %[3]s. Vous vous connectez comme d'habitude, sur %[4]s.\n\nSi vous ne travaillez pas dans cette pizzeria, signalez-le en répondant à ce message.\n\nOC Pizza"},
	{"You are on the team of %[2]s", "Hello %[1]s,\n\nYour OC Pizza account was added to the team of %[2]s, with the role: %[3]s. You sign in as usual, at %[4]s.\n\nIf you do not work there, say so by answering this message.\n\nOC Pizza"},
}

// roleNames name the staff roles in mails, French then English.
var roleNames = map[string][2]string{
	"manager":   {"responsable", "manager"},
	"counter":   {"comptoir", "counter"},
	"pizzaiolo": {"pizzaiolo", "pizzaiolo"},
	"driver":    {"livreur", "driver"},
	"admin":     {"administrateur", "administrator"},
}

// TeamMessage tells the holder of an existing account that it now has a
// role in a pizzeria ("" for the chain's administration), in their
// language.
func TeamMessage(lang, to, name, pizzeria, role, site string) Message {
	i := 0
	if lang == "en" {
		i = 1
	}
	if r, ok := roleNames[role]; ok {
		role = r[i]
	}
	if pizzeria == "" {
		pizzeria = [2]string{"la chaîne OC Pizza", "the OC Pizza chain"}[i]
	}
	t := teamTexts[i]
	return Message{To: to, Subject: fmt.Sprintf(t[0], name, pizzeria), Text: fmt.Sprintf(t[1], name, pizzeria, role, site)}
}
