package environ

import (
	"fmt"
	"strings"
)

// CheckStatus validates a WSGI status line and returns its code.
//
// PEP 3333 (and wsgiref's start_response) wants three digits, a space and a
// reason phrase: "200 OK". The reason may be empty ("200 "; RFC 9112 allows
// it) but the space may not be left out; it goes to HTTP/1.x clients as it
// is. 1xx codes are refused: a WSGI response is final, and net/http would
// send a 1xx as an interim response and then make up a 200 of its own.
func CheckStatus(status string) (code int, err error) {
	if len(status) < 4 || !isDigit(status[0]) || !isDigit(status[1]) || !isDigit(status[2]) || status[3] != ' ' {
		return 0, fmt.Errorf("app sent invalid status %q: a WSGI status is three digits, a space and a reason phrase, like \"200 OK\" (PEP 3333)", clip(status))
	}
	code = int(status[0]-'0')*100 + int(status[1]-'0')*10 + int(status[2]-'0')
	if code < 100 {
		return 0, fmt.Errorf("app sent invalid status %q: status codes run from 100 to 999", clip(status))
	}
	if code < 200 {
		return 0, fmt.Errorf("app sent informational status %q: a WSGI app must answer with a final status, 200 or above", clip(status))
	}
	for i := 4; i < len(status); i++ {
		if c := status[i]; isCTL(c) {
			if c == '\r' || c == '\n' {
				return 0, fmt.Errorf("app sent status %q with a CR or LF in it: a status is one line (PEP 3333)", clip(status))
			}
			return 0, fmt.Errorf("app sent status %q with control character %q in its reason phrase", clip(status), c)
		}
	}
	return code, nil
}

// CheckHeader validates one response header from the app, as PEP 3333 asks of
// a server: the name an HTTP token, the value free of CR, LF and other control
// characters (tab aside), and no hop-by-hop header, since the connection is
// the server's business.
func CheckHeader(name, value string) error {
	if name == "" {
		return fmt.Errorf("app sent a header with an empty name (value %q)", clip(value))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isTokenChar(c) {
			return fmt.Errorf("app sent invalid header name %q: %q is not allowed in a header name (RFC 9110 token)", clip(name), c)
		}
	}
	if IsHopByHop(name) {
		return fmt.Errorf("app sent hop-by-hop header %q: WSGI apps must not set it (PEP 3333)", name)
	}
	if len(name) == 14 && strings.EqualFold(name, "Content-Length") && !isLength(value) {
		// Passed on, "+5" or "5, 6" leaves the client to guess where the
		// body ends (RFC 9110 8.6: the length is digits only).
		return fmt.Errorf("app sent header %q with value %q: a length is the number of body bytes, in digits", name, clip(value))
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; isCTL(c) {
			if c == '\r' || c == '\n' {
				// Passed on, it would let the app (or whoever fed it the
				// value) inject headers or split the response.
				return fmt.Errorf("app sent header %q with a CR or LF in its value: a header value is one line", name)
			}
			return fmt.Errorf("app sent header %q with control character %q in its value", name, c)
		}
	}
	return nil
}

// IsHopByHop reports the headers that describe one connection rather than
// the response: wsgiref's list, plus Trailer (RFC 9110's spelling of the
// older Trailers), since a WSGI app cannot send trailers.
func IsHopByHop(name string) bool {
	switch len(name) {
	case 2:
		return strings.EqualFold(name, "TE")
	case 7:
		return strings.EqualFold(name, "Upgrade") || strings.EqualFold(name, "Trailer")
	case 8:
		return strings.EqualFold(name, "Trailers")
	case 10:
		return strings.EqualFold(name, "Connection") || strings.EqualFold(name, "Keep-Alive")
	case 17:
		return strings.EqualFold(name, "Transfer-Encoding")
	case 18:
		return strings.EqualFold(name, "Proxy-Authenticate")
	case 19:
		return strings.EqualFold(name, "Proxy-Authorization")
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isLength reports a Content-Length value: digits, within an int64.
func isLength(v string) bool {
	if v == "" || len(v) > 18 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return true
}

// isCTL reports the bytes RFC 9110 keeps out of field values and reason
// phrases: controls other than tab, and DEL. Bytes 0x80 and up are allowed
// (obs-text); they are latin-1 characters on the Python side.
func isCTL(c byte) bool { return c < ' ' && c != '\t' || c == 0x7f }

// isTokenChar reports RFC 9110 tchar: letters, digits and !#$%&'*+-.^_`|~.
func isTokenChar(c byte) bool { return tokenTable[c] }

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
