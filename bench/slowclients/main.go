// Command slowclients measures what slow clients do to everyone else: it
// opens clients that trickle an upload (a byte a second) and clients that
// stop reading a large download, then times a normal request.
//
//	gowsgi -n -d testapps web --wsgi pure.router --listen tcp:8080 &
//	go run ./bench/slowclients -url http://127.0.0.1:8080 -trickle 20 -stall 20
//
// The app must answer POST /echo (it reads the whole body) and
// GET /download?size=N, as testapps/pure.py does.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server")
	trickle := flag.Int("trickle", 20, "clients that send a 1000-byte body a byte a second")
	stall := flag.Int("stall", 20, "clients that start a 1 GiB download and stop reading")
	settle := flag.Duration("settle", 2*time.Second, "wait this long after opening the slow clients")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	note := func(what string) {
		mu.Lock()
		outcomes[what]++
		mu.Unlock()
	}
	for range *trickle {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				note("trickle: " + err.Error())
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for range 1000 {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				if _, err := c.Write([]byte("x")); err != nil {
					note("trickle: cut off while sending")
					return
				}
			}
		}()
	}
	for range *stall {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				note("stall: " + err.Error())
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "GET /download?size=%d HTTP/1.1\r\nHost: x\r\n\r\n", 1<<30)
			line, _ := bufio.NewReaderSize(c, 16).ReadString('\n')
			note("stall: started " + strings.TrimSpace(line))
			<-done
		}()
	}
	time.Sleep(*settle)
	t0 := time.Now()
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Get(*base + "/")
	took := time.Since(t0)
	if err != nil {
		fmt.Printf("normal request: %v after %s\n", err, took.Round(time.Millisecond))
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("normal request: %d after %s\n", resp.StatusCode, took.Round(time.Millisecond))
	}
	close(done)
	wg.Wait()
	for what, n := range outcomes {
		fmt.Printf("  %3d × %s\n", n, what)
	}
}
