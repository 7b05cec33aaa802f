package e2e

// Hostile and broken requests, byte for byte, against the real binary.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// malformed is one request no app may see: what is sent on a fresh
// connection (which is then half-closed, so nothing waits for more), and
// the status of the answer.
type malformed struct {
	name   string
	raw    string
	status int
}

const host = "Host: x\r\n"

func post(fields, body string) string {
	return "POST /r HTTP/1.1\r\n" + host + fields + "\r\n" + body
}

// chunked is a POST whose chunked body is body, as sent.
func chunked(body string) string {
	return post("Transfer-Encoding: chunked\r\n", body)
}

var malformedCorpus = []malformed{
	// The request line.
	{"empty request line", "\r\n\r\n", 400},
	{"request line of spaces", "   \r\n" + host + "\r\n", 400},
	{"method only", "GET\r\n" + host + "\r\n", 400},
	{"a word", "NONSENSE\r\n\r\n", 400},
	{"HTTP/0.9 simple request", "GET /\r\n\r\n", 400},
	{"no version", "GET / \r\n" + host + "\r\n", 400},
	{"extra word after the version", "GET / HTTP/1.1 extra\r\n" + host + "\r\n", 400},
	{"two spaces after the method", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"tabs for spaces", "GET\t/\tHTTP/1.1\r\n" + host + "\r\n", 400},
	{"space in the target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", 400},
	{"lower-case version", "GET / http/1.1\r\n" + host + "\r\n", 400},
	{"version 1.10", "GET / HTTP/1.10\r\n" + host + "\r\n", 400},
	{"version 2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", 505},
	{"version 3", "GET / HTTP/3\r\n" + host + "\r\n", 400},
	{"version 0.9", "GET / HTTP/0.9\r\n" + host + "\r\n", 505},
	{"unknown protocol", "GET / FTP/1.1\r\n" + host + "\r\n", 400},
	{"HTTP/2 preface on HTTP/1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
	{"method with a parenthesis", "GE(T / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"method with a NUL", "G\x00T / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"NUL before the request", "\x00GET / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"NUL in the target", "GET /a\x00b HTTP/1.1\r\n" + host + "\r\n", 400},
	{"%00 in the path", "GET /a%00b HTTP/1.1\r\n" + host + "\r\n", 400},
	{"DEL in the target", "GET /a\x7fb HTTP/1.1\r\n" + host + "\r\n", 400},
	{"control byte in the query", "GET /?a=\x01 HTTP/1.1\r\n" + host + "\r\n", 400},
	{"CR inside the request line", "GET /a\rb HTTP/1.1\r\n" + host + "\r\n", 400},
	{"bad percent escape", "GET /%zz HTTP/1.1\r\n" + host + "\r\n", 400},
	{"truncated percent escape", "GET /a% HTTP/1.1\r\n" + host + "\r\n", 400},
	{"target without a slash", "GET example HTTP/1.1\r\n" + host + "\r\n", 400},
	{"asterisk target for GET", "GET * HTTP/1.1\r\n" + host + "\r\n", 400},
	{"huge target", "GET /" + strings.Repeat("a", 100<<10) + " HTTP/1.1\r\n" + host + "\r\n", 431},
	{"huge method", strings.Repeat("G", 100<<10) + " / HTTP/1.1\r\n" + host + "\r\n", 431},
	{"TLS handshake on the plain port", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.Repeat("\x00", 32) + "\r\n\r\n", 400},

	// Absolute and authority targets.
	{"absolute URI with a broken IPv6 host", "GET http://[::1/ HTTP/1.1\r\n" + host + "\r\n", 400},
	{"absolute URI with a bad port", "GET http://x:port/ HTTP/1.1\r\n" + host + "\r\n", 400},
	{"absolute URI with a control byte", "GET http://x/\x01 HTTP/1.1\r\n" + host + "\r\n", 400},
	{"CONNECT to a host", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501},
	{"CONNECT to a path", "CONNECT /r HTTP/1.1\r\n" + host + "\r\n", 501},

	// Header fields.
	{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
	{"two Host fields", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400},
	{"Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
	{"Host with a broken IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
	{"Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
	{"field without a colon", "GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n", 400},
	{"space in a field name", "GET / HTTP/1.1\r\n" + host + "X Y: 1\r\n\r\n", 400},
	{"space before the colon", "GET / HTTP/1.1\r\n" + host + "X-Y : 1\r\n\r\n", 400},
	{"empty field name", "GET / HTTP/1.1\r\n" + host + ": 1\r\n\r\n", 400},
	{"NUL in a field name", "GET / HTTP/1.1\r\n" + host + "X\x00Y: 1\r\n\r\n", 400},
	{"non-ASCII field name", "GET / HTTP/1.1\r\n" + host + "X-\xc3\xa4: 1\r\n\r\n", 400},
	{"NUL in a field value", "GET / HTTP/1.1\r\n" + host + "X: a\x00b\r\n\r\n", 400},
	{"CR in a field value", "GET / HTTP/1.1\r\n" + host + "X: a\rb\r\n\r\n", 400},
	{"escape byte in a field value", "GET / HTTP/1.1\r\n" + host + "X: a\x1bb\r\n\r\n", 400},
	{"obs-fold continuation line", "GET / HTTP/1.1\r\n" + host + "X: a\r\n b\r\n\r\n", 400},
	{"first field line starts with a space", "GET / HTTP/1.1\r\n " + host + "\r\n", 400},
	{"lines ending in CR alone", "GET / HTTP/1.1\r" + host + "\r\r", 400},
	{"huge field value", "GET / HTTP/1.1\r\n" + host + "X: " + strings.Repeat("v", 100<<10) + "\r\n\r\n", 431},
	{"huge field name", "GET / HTTP/1.1\r\n" + host + strings.Repeat("N", 100<<10) + ": 1\r\n\r\n", 431},
	{"ten thousand fields", "GET / HTTP/1.1\r\n" + host + strings.Repeat("X: 1234567\r\n", 10000) + "\r\n", 431},
	{"unknown expectation", "GET / HTTP/1.1\r\n" + host + "Expect: 200-ok\r\n\r\n", 417},

	// Content-Length.
	{"negative Content-Length", post("Content-Length: -1\r\n", ""), 400},
	{"signed Content-Length", post("Content-Length: +3\r\n", "abc"), 400},
	{"hex Content-Length", post("Content-Length: 0x3\r\n", "abc"), 400},
	{"word Content-Length", post("Content-Length: three\r\n", "abc"), 400},
	{"empty Content-Length", post("Content-Length: \r\n", ""), 400},
	{"Content-Length list", post("Content-Length: 3, 3\r\n", "abc"), 400},
	{"two different Content-Lengths", post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"), 400},
	{"Content-Length past int64", post("Content-Length: 99999999999999999999\r\n", "abc"), 400},
	{"Content-Length with a space inside", post("Content-Length: 1 0\r\n", "abc"), 400},
	{"body shorter than its Content-Length", post("Content-Length: 10\r\n", "abc"), 400},
	{"Content-Length but no body", post("Content-Length: 5\r\n", ""), 400},

	// Transfer-Encoding, and both.
	{"Content-Length then Transfer-Encoding", post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
	{"Transfer-Encoding then Content-Length", post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "0\r\n\r\n"), 400},
	{"Transfer-Encoding with Content-Length 0", post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
	{"lower-case names, both", post("content-length: 3\r\ntransfer-encoding: chunked\r\n", "0\r\n\r\n"), 400},
	{"Transfer-Encoding in HTTP/1.0", "POST /r HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400},
	{"Transfer-Encoding gzip", post("Transfer-Encoding: gzip\r\n", "abc"), 501},
	{"Transfer-Encoding identity", post("Transfer-Encoding: identity\r\n", "abc"), 501},
	{"chunked twice in one field", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 501},
	{"gzip then chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501},
	{"two Transfer-Encoding fields", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 501},
	{"misspelt chunked", post("Transfer-Encoding: chunk\r\n", "0\r\n\r\n"), 501},
	{"space before the colon of Transfer-Encoding", post("Content-Length: 5\r\nTransfer-Encoding : chunked\r\n", "0\r\n\r\n"), 400},
	{"Transfer-Encoding folded onto another field", post("X: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400},

	// Chunked bodies.
	{"chunk size not hex", chunked("zz\r\nabc\r\n0\r\n\r\n"), 400},
	{"negative chunk size", chunked("-3\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size 0x-prefixed", chunked("0x3\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size past 64 bits", chunked("1ffffffffffffffff\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size with a space inside", chunked("1 0\r\nabc\r\n0\r\n\r\n"), 400},
	{"empty chunk size", chunked("\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size line ending in LF alone", chunked("3\nabc\r\n0\r\n\r\n"), 400},
	{"CR inside a chunk size line", chunked("3\r;x\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk data longer than its size", chunked("3\r\nabcd\r\n0\r\n\r\n"), 400},
	{"chunk data without its CRLF", chunked("3\r\nabc0\r\n\r\n"), 400},
	{"chunk extension longer than a line may be", chunked("3;" + strings.Repeat("e", 5000) + "\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk extensions outweighing the data", chunked(strings.Repeat("1;"+strings.Repeat("e", 100)+"\r\nx\r\n", 400) + "0\r\n\r\n"), 400},
	{"chunked body cut in a chunk", chunked("a\r\nabc"), 400},
	{"chunked body without its last chunk", chunked("3\r\nabc\r\n"), 400},
	{"chunked body without its final CRLF", chunked("3\r\nabc\r\n0\r\n"), 400},
	{"trailer line without a colon", chunked("3\r\nabc\r\n0\r\nNoColon\r\n\r\n"), 400},
	{"trailer longer than a line may be", chunked("3\r\nabc\r\n0\r\nX: " + strings.Repeat("t", 5000) + "\r\n\r\n"), 400},

	// Smuggling: what follows a refused request must not run either.
	{"CL.TE with a request inside the body", post("Content-Length: 30\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nGET /smuggled HTTP/1.1\r\n"+host+"\r\n"), 400},
	{"TE.CL with a request after the chunks", post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "5c\r\nGPOST /smuggled HTTP/1.1\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n"+host+"\r\n"), 400},
	{"HTTP/1.0 TE with a request after", "POST /r HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\nGET /smuggled HTTP/1.1\r\n" + host + "\r\n", 400},
	{"a bad chunk with a request after", chunked("zz\r\n\r\nGET /smuggled HTTP/1.1\r\n" + host + "\r\n"), 400},
	{"a bad request line with a request after", "GET / HTTP/9.9\r\n" + host + "\r\nGET /smuggled HTTP/1.1\r\n" + host + "\r\n", 505},
}

// sendRaw writes raw on a new connection, half-closes it, and returns the
// status of the first answer (0 for none) and everything that came back.
func sendRaw(t *testing.T, s *server, raw string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server may answer and close before it has read everything.
	go func() {
		io.WriteString(conn, raw)
		conn.(*net.TCPConn).CloseWrite()
	}()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hang guard
	all, err := io.ReadAll(conn)
	if err != nil && !isReset(err) {
		t.Fatalf("reading the answer: %v (got %q)", err, all)
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(all))), nil)
	if err != nil {
		return 0, string(all)
	}
	resp.Body.Close()
	return resp.StatusCode, string(all)
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// TestMalformedRequests sends the corpus to an app that records what it
// gets: each has its status, none reaches the app, and a good request on a
// new connection right after each is served.
func TestMalformedRequests(t *testing.T) {
	if len(malformedCorpus) < 80 {
		t.Fatalf("the corpus has %d requests; keep at least 80", len(malformedCorpus))
	}
	s := start(t, testApps, "--python", venvPy, "--wsgi", "recorder.application")
	var good []string
	for i, c := range malformedCorpus {
		status, answer := sendRaw(t, s, c.raw)
		if status != c.status {
			t.Errorf("%s: status %d, want %d; the answer: %.300q", c.name, status, c.status, answer)
		}
		path := fmt.Sprintf("/good/%d", i)
		if code, body := s.get(path); code != 200 || body != "recorded\n" {
			t.Fatalf("after %s: a good request got %d %q", c.name, code, body)
		}
		good = append(good, "GET "+path)
	}
	s.waitLog(`recorded `+good[len(good)-1]+` `, 5*time.Second)
	var got []string
	for _, m := range recordedRE.FindAllStringSubmatch(s.out.String(), -1) {
		got = append(got, m[1])
	}
	if strings.Join(got, "\n") != strings.Join(good, "\n") {
		t.Errorf("the app got:\n%s\nwant only the good requests:\n%s", strings.Join(got, "\n"), strings.Join(good, "\n"))
	}
}
