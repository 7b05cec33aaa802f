package livereload

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestInject(t *testing.T) {
	for in, want := range map[string]string{
		"<html><body><p>x</p></body></html>":          "<html><body><p>x</p>" + Tag + "</body></html>",
		"<BODY>a</BODY><!-- </body> in a comment -->": "<BODY>a</BODY><!-- " + Tag + "</body> in a comment -->",
		"<p>a fragment</p>":                           "<p>a fragment</p>",
	} {
		if got := string(Inject([]byte(in))); got != want {
			t.Errorf("Inject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEventsReachEveryPageAndCloseEnds(t *testing.T) {
	h := New()
	srv := httptest.NewServer(h)
	defer srv.Close()
	var readers []*bufio.Reader
	for range 2 {
		resp, err := http.Get(srv.URL + Prefix + "events")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
		readers = append(readers, bufio.NewReader(resp.Body))
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.Listeners() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d listeners, want 2", h.Listeners())
		}
		time.Sleep(time.Millisecond)
	}
	h.Stylesheet("/static/site.css")
	h.Reload()
	for _, r := range readers {
		var got []string
		for len(got) < 4 {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(line, "event:") || strings.HasPrefix(line, "data:") {
				got = append(got, strings.TrimSpace(line))
			}
		}
		if want := "event: css|data: /static/site.css|event: reload|data: now"; strings.Join(got, "|") != want {
			t.Errorf("events %q, want %q", strings.Join(got, "|"), want)
		}
	}
	h.Close()
	for _, r := range readers {
		for {
			if _, err := r.ReadString('\n'); err != nil {
				break // the stream ended: a graceful shutdown does not wait for pages
			}
		}
	}
}

func TestScript(t *testing.T) {
	rec := httptest.NewRecorder()
	New().ServeHTTP(rec, httptest.NewRequest("GET", ScriptPath, nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") ||
		!strings.Contains(rec.Body.String(), `new EventSource("/__gowsgi/events")`) {
		t.Errorf("live.js: %d %q", rec.Code, rec.Body.String())
	}
}
