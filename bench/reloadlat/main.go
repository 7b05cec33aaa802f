// Command reloadlat measures save-to-new-code latency: the time from writing
// a new version of app.py to the first response that shows it, while a
// client hammers the server and counts failed requests.
//
//	go run ./bench/reloadlat -n 20 -- gowsgi -n web --listen tcp:PORT --wsgi app.application
//
// PORT in the command is replaced by a free port; the command runs in a
// fresh directory holding app.py (a hello app, or a Flask app with -flask).
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const helloApp = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'%s']
`

const flaskApp = `from flask import Flask

app = Flask(__name__)
application = app


@app.route('/')
def home():
    return '%s'
`

func main() {
	n := flag.Int("n", 20, "how many edits")
	useFlask := flag.Bool("flask", false, "serve a Flask app instead of a plain WSGI callable")
	settle := flag.Duration("settle", 1500*time.Millisecond, "pause between edits (reloaders that poll once a second need it)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: reloadlat [-n 20] [-flask] -- COMMAND (with PORT)")
		os.Exit(2)
	}
	tmpl := helloApp
	if *useFlask {
		tmpl = flaskApp
	}
	dir, err := os.MkdirTemp("", "reloadlat-")
	check(err)
	defer os.RemoveAll(dir)
	appPath := filepath.Join(dir, "app.py")
	check(os.WriteFile(appPath, []byte(fmt.Sprintf(tmpl, "v0")), 0o644))

	port := freePort()
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PORT", fmt.Sprint(port))
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(os.TempDir(), "reloadlat-server.log"))
	check(err)
	cmd.Stdout, cmd.Stderr = logf, logf
	check(cmd.Start())
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)

	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func() (string, error) {
		resp, err := client.Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != 200 {
			return "", fmt.Errorf("status %d", resp.StatusCode)
		}
		return string(b), nil
	}
	waitFor := func(want string, timeout time.Duration) (time.Duration, bool) {
		t0 := time.Now()
		for time.Since(t0) < timeout {
			if body, err := get(); err == nil && body == want {
				return time.Since(t0), true
			}
			time.Sleep(2 * time.Millisecond)
		}
		return 0, false
	}
	if _, ok := waitFor("v0", 30*time.Second); !ok {
		fmt.Fprintf(os.Stderr, "the server never answered v0; see %s\n", logf.Name())
		os.Exit(1)
	}

	// The hammer: two clients, counting every request that fails.
	var okCount, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := get(); err != nil {
					failed.Add(1)
					time.Sleep(5 * time.Millisecond)
				} else {
					okCount.Add(1)
				}
			}
		}()
	}

	var lat []time.Duration
	for i := 1; i <= *n; i++ {
		time.Sleep(*settle)
		v := fmt.Sprintf("v%d", i)
		check(os.WriteFile(appPath, []byte(fmt.Sprintf(tmpl, v)), 0o644))
		d, ok := waitFor(v, 30*time.Second)
		if !ok {
			fmt.Fprintf(os.Stderr, "edit %d never showed up; see %s\n", i, logf.Name())
			os.Exit(1)
		}
		lat = append(lat, d)
	}
	close(stop)
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("edits %d  median %4d ms  min %4d ms  max %4d ms  requests %d  failed %d\n",
		len(lat), lat[len(lat)/2].Milliseconds(), lat[0].Milliseconds(), lat[len(lat)-1].Milliseconds(),
		okCount.Load()+failed.Load(), failed.Load())
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
