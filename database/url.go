package database

import (
	"net"
	"net/url"
	"strconv"
)

// passwordSpecial is the punctuation the password generator may use: what RDS
// accepts for a master password (printable ASCII except '/', '@', '"' and space).
// Characters that mean something in a URL (':', '?', '#', '%', '[', ']', ...) are
// kept on purpose: URL escapes them, and the tests prove the round trip.
const passwordSpecial = "!#$%&*()-_=+[]{}<>:?"

// passwordLength is long enough that the small alphabet costs nothing.
const passwordLength = 32

// passwordAlphabet is every character random.RandomPassword can produce with the
// settings NewPostgres uses (upper, lower, numeric and passwordSpecial).
const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + passwordSpecial

// URL returns the runbook's DATABASE_URL,
// postgresql://USER:PASSWORD@HOST:PORT/DBNAME, with user, password and database
// escaped by net/url so that every generated password gives a URL that parses
// back to the same values. host is the endpoint's DNS name (the runbook used the
// IP address, which changes when RDS moves the instance).
func URL(user, password, host string, port int, dbName string) string {
	u := url.URL{
		Scheme: "postgresql",
		User:   url.UserPassword(user, password),
		Host:   net.JoinHostPort(host, strconv.Itoa(port)),
		Path:   "/" + dbName,
	}
	return u.String()
}
