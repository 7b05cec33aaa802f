package environ

import (
	"strconv"
	"strings"
	"testing"
)

func TestCheckStatus(t *testing.T) {
	good := []struct {
		status string
		code   int
	}{
		{"200 OK", 200},
		{"404 Not Found", 404},
		{"999 Custom", 999},
		{"200 ", 200}, // wsgiref accepts an empty reason
		{"500 Internal Server Error", 500},
		{"204 No Content", 204},
		{"302 Found\tagain", 302}, // tab is allowed in a reason phrase
		{"200 caf\xe9", 200},      // latin-1 byte (obs-text)
		{"200  two spaces", 200},
	}
	for _, tt := range good {
		code, err := CheckStatus(tt.status)
		if err != nil || code != tt.code {
			t.Errorf("CheckStatus(%q) = %d, %v; want %d, nil", tt.status, code, err, tt.code)
		}
	}

	bad := []struct {
		status, mention string
	}{
		{"", "three digits"},
		{"200", "three digits"},
		{"200OK", "three digits"},
		{"20 OK", "three digits"},
		{"2000 OK", "three digits"},
		{"abc OK", "three digits"},
		{" 200 OK", "three digits"},
		{"-20 OK", "three digits"},
		{"099 Low", "100 to 999"},
		{"000 Zero", "100 to 999"},
		{"100 Continue", "final status"},
		{"101 Switching Protocols", "final status"},
		{"103 Early Hints", "final status"},
		{"200 OK\r\n", "CR or LF"},
		{"200 OK\r\nSet-Cookie: x=1", "CR or LF"},
		{"200 OK\n", "CR or LF"},
		{"200 O\x00K", "control character"},
		{"200 O\x7fK", "control character"},
	}
	for _, tt := range bad {
		code, err := CheckStatus(tt.status)
		if err == nil {
			t.Errorf("CheckStatus(%q) = %d, nil; want an error", tt.status, code)
			continue
		}
		if code != 0 {
			t.Errorf("CheckStatus(%q) returned code %d with an error", tt.status, code)
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.mention) {
			t.Errorf("CheckStatus(%q) error %q does not mention %q", tt.status, msg, tt.mention)
		}
		if q := strings.TrimSpace(quote(tt.status)); !strings.Contains(msg, q) {
			t.Errorf("CheckStatus(%q) error %q does not quote the status as %s", tt.status, msg, q)
		}
		if strings.ContainsAny(msg, "\r\n\x00") {
			t.Errorf("CheckStatus(%q) error %q carries raw control characters", tt.status, msg)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	good := [][2]string{
		{"Content-Type", "text/html; charset=utf-8"},
		{"Content-Length", "12"},
		{"Set-Cookie", "a=1; Path=/; HttpOnly"},
		{"X-Empty", ""},
		{"X-Tab", "a\tb"},
		{"X-Latin", "caf\xe9"},
		{"x-lower-case", "v"},
		{"X-Token!#$%&'*+.^_`|~09", "v"},
		{"Trailer-Thing", "v"}, // only the exact hop-by-hop names are refused
		{"TEA", "v"},
		{"Proxy-Status", "v"},
		{"WWW-Authenticate", "Basic"},
		{"content-length", "0"},
		{"Content-Length", "007"},
		{"Content-Length", "999999999999999999"},
	}
	for _, h := range good {
		if err := CheckHeader(h[0], h[1]); err != nil {
			t.Errorf("CheckHeader(%q, %q) = %v; want nil", h[0], h[1], err)
		}
	}

	bad := []struct {
		name, value, mention string
	}{
		// Header injection and response splitting.
		{"X-A", "ok\r\nSet-Cookie: evil=1", "CR or LF"},
		{"X-A", "ok\nX-B: 1", "CR or LF"},
		{"X-A", "ok\r", "CR or LF"},
		{"X-A", "a\x00b", "control character"},
		{"X-A", "a\x1bb", "control character"},
		{"X-A", "a\x7fb", "control character"},
		{"X-A\r\nX-B", "v", "invalid header name"},
		// Hop-by-hop, any case.
		{"Connection", "close", "hop-by-hop"},
		{"connection", "close", "hop-by-hop"},
		{"CONNECTION", "close", "hop-by-hop"},
		{"Keep-Alive", "timeout=5", "hop-by-hop"},
		{"keep-alive", "timeout=5", "hop-by-hop"},
		{"Proxy-Authenticate", "Basic", "hop-by-hop"},
		{"proxy-authorization", "Basic x", "hop-by-hop"},
		{"TE", "trailers", "hop-by-hop"},
		{"te", "trailers", "hop-by-hop"},
		{"Trailer", "X-Checksum", "hop-by-hop"},
		{"Trailers", "X-Checksum", "hop-by-hop"},
		{"Transfer-Encoding", "chunked", "hop-by-hop"},
		{"transfer-encoding", "chunked", "hop-by-hop"},
		{"Upgrade", "websocket", "hop-by-hop"},
		{"uPgRaDe", "websocket", "hop-by-hop"},
		// Names that are not tokens.
		{"", "v", "empty name"},
		{"X A", "v", "invalid header name"},
		{"X:A", "v", "invalid header name"},
		{"X-A:", "v", "invalid header name"},
		{"(X)", "v", "invalid header name"},
		{"X\"A", "v", "invalid header name"},
		{"X-Ä", "v", "invalid header name"},
		{"X\x00", "v", "invalid header name"},
		{"X\t", "v", "invalid header name"},
		// A length the client could read two ways.
		{"Content-Length", "+5", "in digits"},
		{"Content-Length", "-1", "in digits"},
		{"Content-Length", "5, 5", "in digits"},
		{"Content-Length", " 5", "in digits"},
		{"Content-Length", "", "in digits"},
		{"CONTENT-LENGTH", "0x10", "in digits"},
		{"Content-Length", "9999999999999999999", "in digits"},
	}
	for _, tt := range bad {
		err := CheckHeader(tt.name, tt.value)
		if err == nil {
			t.Errorf("CheckHeader(%q, %q) = nil; want an error", tt.name, tt.value)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.mention) {
			t.Errorf("CheckHeader(%q, %q) error %q does not mention %q", tt.name, tt.value, msg, tt.mention)
		}
		if tt.name != "" && !strings.Contains(msg, quote(tt.name)) {
			t.Errorf("CheckHeader(%q, %q) error %q does not quote the name", tt.name, tt.value, msg)
		}
		if strings.ContainsAny(msg, "\r\n\x00") {
			t.Errorf("CheckHeader(%q, %q) error %q carries raw control characters", tt.name, tt.value, msg)
		}
	}

	// The message the runner logs, word for word.
	want := `app sent hop-by-hop header "Connection": WSGI apps must not set it (PEP 3333)`
	if err := CheckHeader("Connection", "close"); err == nil || err.Error() != want {
		t.Errorf("CheckHeader(Connection) = %v; want %q", err, want)
	}
}

func TestCheckHeaderTokenTable(t *testing.T) {
	const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for c := 0; c < 256; c++ {
		want := strings.IndexByte(tchar, byte(c)) >= 0
		if got := isTokenChar(byte(c)); got != want {
			t.Errorf("isTokenChar(%q) = %v, want %v", byte(c), got, want)
		}
	}
}

func quote(s string) string { return strconv.Quote(clip(s)) }

func BenchmarkCheckHeader(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckHeader("Content-Type", "text/html; charset=utf-8"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckStatus(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckStatus("200 OK"); err != nil {
			b.Fatal(err)
		}
	}
}
