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
