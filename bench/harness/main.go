// Command harness benchmarks gowsgi against the Python servers a user would
// pick instead, all on this machine in one run, and writes a markdown table.
//
// Every server is started, measured and stopped one at a time on
// 127.0.0.1, and the servers take turns round after round (A B C A B C), so
// a drift in the machine's speed touches all of them alike; every ratio is
// taken within a round and the median of the rounds is reported. A server
// whose program is not installed is left out with a note.
//
//	go run ./bench/harness [-rounds 3] [-secs 5] [-only hello,flask] [-o table.md]
//
// `make bench` builds gowsgi and runs it. Load goes to 127.0.0.1 only, every
// run is bounded by -secs, and every server started is stopped (its process
// group, which it leads) before the next starts.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	rounds  = flag.Int("rounds", 3, "rounds: every server runs once per round, in turn")
	secs    = flag.Int("secs", 5, "seconds of load per run (after 1 s of warm-up)")
	only    = flag.String("only", "", "comma-separated scenarios to run (default: all)")
	skip    = flag.String("skip", "", "comma-separated servers (name prefixes) to leave out")
	out     = flag.String("o", "", "also write the markdown here")
	gowsgi  = flag.String("gowsgi", "", "the gowsgi binary (default: built by make bench)")
	ceiling = flag.String("ceiling", "", "the bench/ceiling binary")
	python  = flag.String("python", "/usr/bin/python3", "the Python with Flask, Django and the peers")
	portNum = flag.Int("port", 18600, "first port to use")
	verbose = flag.Bool("v", false, "print every run as it ends")
)

// An app is one thing to serve, named as each kind of server wants it.
type app struct {
	dir    string // the directory to run in (the app's, first on sys.path)
	dotted string // gowsgi, twistd: module.attribute
	colon  string // gunicorn, uwsgi, waitress, uvicorn: module:attribute
	gpy    bool   // pure Python the gpython engine runs
	asgi   bool
}

// A scenario is one app, one URL and one load.
type scenario struct {
	name    string
	app     app
	path    string
	conns   int
	upload  int    // bytes POSTed per request (0: GET)
	ceiling string // the ceiling's path for the same work
	note    string
}

// A server is one program in one configuration.
type server struct {
	name   string
	procs  int  // Python processes (0: the ceiling)
	gowsgi bool // one of ours: the others are compared to it
	engine string
	// argv returns the command line, or nil when it cannot serve a.
	argv func(a app, port int) []string
	env  []string
}

func main() {
	flag.Parse()
	root, err := os.Getwd()
	check(err)
	if *gowsgi == "" || *ceiling == "" {
		fmt.Fprintln(os.Stderr, "harness: give -gowsgi and -ceiling (make bench does)")
		os.Exit(2)
	}
	gw, _ := filepath.Abs(*gowsgi)
	ce, _ := filepath.Abs(*ceiling)
	py := *python
	bench := filepath.Join(root, "bench", "apps")
	benchApp := app{dir: bench, dotted: "benchapp.application", colon: "benchapp:application", gpy: true}
	flaskApp := app{dir: bench, dotted: "flaskhello.app", colon: "flaskhello:app"}
	djangoApp := app{dir: filepath.Join(root, "testapps", "djangoproj"), dotted: "mysite.wsgi.application", colon: "mysite.wsgi:application"}
	fastApp := app{dir: bench, dotted: "fastapiapp.app", colon: "fastapiapp:app", asgi: true}

	scenarios := []scenario{
		{name: "hello", app: benchApp, path: "/", conns: 16, ceiling: "/"},
		{name: "hello-c64", app: benchApp, path: "/", conns: 64, ceiling: "/", note: "64 connections: the p99 target"},
		{name: "flask", app: flaskApp, path: "/", conns: 16, ceiling: "/", note: "a Jinja template rendered per request"},
		{name: "django", app: djangoApp, path: "/", conns: 16, ceiling: "/", note: "a template rendered per request, DEBUG off"},
		{name: "download-1MB", app: benchApp, path: "/download?size=1048576", conns: 4, ceiling: "/download?size=1048576"},
		{name: "upload-1MB", app: benchApp, path: "/upload", conns: 4, upload: 1 << 20, ceiling: "/upload"},
		{name: "flask-sleep50", app: flaskApp, path: "/sleep", conns: 40, note: "a view that sleeps 50 ms: 20 threads must run at once (400 req/s per process at most)"},
		{name: "fastapi", app: fastApp, path: "/", conns: 16, ceiling: "/"},
	}
	gowsgiArgs := func(extra ...string) func(a app, port int) []string {
		return func(a app, port int) []string {
			kind := "--wsgi"
			if a.asgi {
				if !gowsgiHasASGI(gw) {
					return nil
				}
				kind = "--asgi"
			}
			args := []string{gw, "-n", "web", "--listen", fmt.Sprintf("tcp:%d", port), kind, a.dotted,
				"--access-log", "off", "--no-reload"}
			return append(args, extra...)
		}
	}
	wsgiOnly := func(f func(a app, port int) []string) func(a app, port int) []string {
		return func(a app, port int) []string {
			if a.asgi {
				return nil
			}
			return f(a, port)
		}
	}
	gunicorn := func(n int, threads int) func(a app, port int) []string {
		return wsgiOnly(func(a app, port int) []string {
			args := []string{py, "-m", "gunicorn", "-w", strconv.Itoa(n), "-b", fmt.Sprintf("127.0.0.1:%d", port)}
			if threads > 0 {
				args = append(args, "--threads", strconv.Itoa(threads))
			}
			return append(args, a.colon)
		})
	}
	uwsgi := func(n int) func(a app, port int) []string {
		return wsgiOnly(func(a app, port int) []string {
			return []string{"uwsgi", "--plugin", "python3", "--http11-socket", fmt.Sprintf("127.0.0.1:%d", port),
				"--module", a.colon, "--processes", strconv.Itoa(n), "--master", "--die-on-term",
				"--disable-logging", "--pythonpath", a.dir, "--chdir", a.dir}
		})
	}
	servers := []server{
		{name: "go net/http (ceiling)", argv: func(a app, port int) []string {
			return []string{ce, fmt.Sprintf("127.0.0.1:%d", port)}
		}},
		{name: "gowsgi 1 worker", procs: 1, gowsgi: true, engine: "cpython", argv: gowsgiArgs("--python", py)},
		{name: "gowsgi 2 workers", procs: 2, gowsgi: true, engine: "cpython", argv: gowsgiArgs("--python", py, "--workers", "2")},
		{name: "gowsgi gpython", procs: 1, gowsgi: true, engine: "gpython", argv: func(a app, port int) []string {
			if !a.gpy {
				return nil
			}
			return gowsgiArgs("--engine", "gpython")(a, port)
		}},
		{name: "gunicorn sync 1", procs: 1, argv: gunicorn(1, 0)},
		{name: "gunicorn sync 2", procs: 2, argv: gunicorn(2, 0)},
		{name: "gunicorn gthread 1x20", procs: 1, argv: gunicorn(1, 20)},
		{name: "uwsgi 1", procs: 1, argv: uwsgi(1)},
		{name: "uwsgi 2", procs: 2, argv: uwsgi(2)},
		{name: "waitress 4 threads", procs: 1, argv: wsgiOnly(func(a app, port int) []string {
			return []string{py, "-m", "waitress", fmt.Sprintf("--listen=127.0.0.1:%d", port), a.colon}
		})},
		{name: "twistd web --wsgi", procs: 1, argv: wsgiOnly(func(a app, port int) []string {
			return []string{"twistd3", "-n", "--pidfile=", "web", "--listen", fmt.Sprintf("tcp:%d:interface=127.0.0.1", port), "--wsgi", a.dotted}
		}), env: []string{"PYTHONPATH=."}},
		{name: "uvicorn 1", procs: 1, argv: func(a app, port int) []string {
			if !a.asgi {
				return nil
			}
			return []string{py, "-m", "uvicorn", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--no-access-log", a.colon}
		}},
		{name: "uvicorn 2", procs: 2, argv: func(a app, port int) []string {
			if !a.asgi {
				return nil
			}
			return []string{py, "-m", "uvicorn", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--no-access-log", "--workers", "2", a.colon}
		}},
	}
	servers = available(servers, py)

	md := &bytes.Buffer{}
	fmt.Fprintf(md, "# gowsgi benchmark\n\n%s, %d cores, wrk -t1 on the same cores, %d rounds of %d s per server and scenario, interleaved; medians of the rounds.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), numCPU(), *rounds, *secs)
	fmt.Fprintf(md, "Columns: `×gowsgi` is this server's req/s over gowsgi's with the same number of processes in the same round (gpython and the ceiling: over gowsgi 1 worker); `×ceiling` over the bare Go server's in the same round (for Flask and Django: its hello). Cold start: from exec to the first 200. RSS: the largest seen under load, of the server's main process and of its other processes together (gowsgi: the Go process and its workers).\n\n")
	ceilingByRound := map[int]float64{} // hello's, for the scenarios the ceiling does not serve

	results := map[string]map[string][]run{} // scenario → server → runs
	for _, sc := range scenarios {
		if !selected(sc.name, *only) {
			continue
		}
		results[sc.name] = map[string][]run{}
		var list []server
		for _, s := range servers {
			if s.procs == 0 && sc.ceiling == "" {
				continue
			}
			if s.argv(sc.app, 1) == nil && !(s.gowsgi && sc.app.asgi && s.engine == "cpython") {
				continue
			}
			list = append(list, s)
		}
		fmt.Fprintf(os.Stderr, "== %s (%d servers × %d rounds × %ds)\n", sc.name, len(list), *rounds, *secs)
		for r := 0; r < *rounds; r++ {
			for _, s := range list {
				res := measure(s, sc)
				res.round = r
				results[sc.name][s.name] = append(results[sc.name][s.name], res)
				if *verbose || res.err != "" {
					fmt.Fprintf(os.Stderr, "  r%d %-24s %9.0f req/s p50 %-7s p99 %-7s cold %-6s %s\n", r, s.name, res.rps,
						fmtDur(res.p50), fmtDur(res.p99), fmtDur(res.cold), res.err)
				}
				if s.procs == 0 && sc.name == "hello" {
					ceilingByRound[r] = res.rps
				}
			}
		}
		table(md, sc, list, results[sc.name], ceilingByRound)
	}
	targets(md, results, ceilingByRound)
	os.Stdout.Write(md.Bytes())
	if *out != "" {
		check(os.WriteFile(*out, md.Bytes(), 0o644))
	}
}

// run is one measurement of one server.
type run struct {
	round     int
	rps       float64
	p50, p99  time.Duration
	cold      time.Duration
	rssMain   int64 // KiB
	rssOthers int64 // KiB
	errors    string
	err       string // it did not run
}

var port = 0

func measure(s server, sc scenario) run {
	if port == 0 {
		port = *portNum
	}
	port++
	argv := s.argv(sc.app, port)
	if argv == nil {
		return run{err: "not available (no --asgi in this gowsgi yet)"}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = sc.app.dir
	cmd.Env = append(os.Environ(), s.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, _ := os.CreateTemp("", "harness-*.log")
	defer os.Remove(logf.Name())
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	path := sc.path
	if s.procs == 0 {
		path = sc.ceiling
	}
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{err: err.Error()}
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer stop(cmd, exited)
	cold, err := firstOK(port, path, sc.upload, start, exited)
	if err != nil {
		tail, _ := os.ReadFile(logf.Name())
		return run{err: fmt.Sprintf("did not serve: %v: %s", err, lastLines(tail, 3))}
	}
	// Warm up, then measure while sampling memory.
	wrk(url, sc, 1)
	done := make(chan struct{})
	peak := make(chan [2]int64, 1)
	go func() {
		var m [2]int64
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				peak <- m
				return
			case <-tick.C:
				a, b := treeRSS(cmd.Process.Pid)
				m[0], m[1] = max(m[0], a), max(m[1], b)
			}
		}
	}()
	res := wrk(url, sc, *secs)
	close(done)
	m := <-peak
	res.cold, res.rssMain, res.rssOthers = cold, m[0], m[1]
	return res
}

// firstOK polls until the server answers 200, and says how long that took
// from start.
func firstOK(port int, path string, upload int, start time.Time, exited chan struct{}) (time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	deadline := start.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return 0, fmt.Errorf("it exited")
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		c.Close()
		var resp *http.Response
		if upload > 0 {
			resp, err = client.Post(url, "application/octet-stream", bytes.NewReader(make([]byte, upload)))
		} else {
			resp, err = client.Get(url)
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("no 200 within 30 s")
}

// stop ends the server and everything in its process group.
func stop(cmd *exec.Cmd, exited chan struct{}) {
	pid := cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(pid, syscall.SIGKILL)
		<-exited
	}
	syscall.Kill(-pid, syscall.SIGKILL) // what it left behind, in its group
	time.Sleep(200 * time.Millisecond)  // let the port and the CPU settle
}

var (
	reqRe = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latRe = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

func wrk(url string, sc scenario, seconds int) run {
	args := []string{"-t1", fmt.Sprintf("-c%d", sc.conns), fmt.Sprintf("-d%ds", seconds), "--latency", "--timeout", "10s"}
	if sc.upload > 0 {
		script := filepath.Join(os.TempDir(), fmt.Sprintf("harness-upload-%d.lua", sc.upload))
		if _, err := os.Stat(script); err != nil {
			os.WriteFile(script, []byte(fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = string.rep(\"x\", %d)\nwrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n", sc.upload)), 0o644)
		}
		args = append(args, "-s", script)
	}
	o, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return run{err: fmt.Sprintf("wrk: %v: %s", err, lastLines(o, 2))}
	}
	var r run
	if m := reqRe.FindSubmatch(o); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range latRe.FindAllSubmatch(o, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		d := time.Duration(v * float64(map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]))
		if string(m[1]) == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	for _, line := range strings.Split(string(o), "\n") {
		if strings.Contains(line, "Non-2xx") || strings.Contains(line, "Socket errors") {
			r.errors = strings.TrimSpace(strings.Join(strings.Fields(line), " "))
		}
	}
	return r
}

// treeRSS is the resident memory (KiB) of pid and of its descendants.
func treeRSS(pid int) (main, others int64) {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			children[pp] = append(children[pp], p)
		}
	}
	main = rss(pid)
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			others += rss(c)
			walk(c)
		}
	}
	walk(pid)
	return main, others
}

func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			v, _ := strconv.ParseInt(strings.Fields(sc.Text())[1], 10, 64)
			return v
		}
	}
	return 0
}

// table writes one scenario's rows.
func table(md *bytes.Buffer, sc scenario, list []server, res map[string][]run, ceilingHello map[int]float64) {
	method := "GET"
	if sc.upload > 0 {
		method = "POST"
	}
	fmt.Fprintf(md, "## %s: %s %s, %d connections", sc.name, method, sc.path, sc.conns)
	if sc.upload > 0 {
		fmt.Fprintf(md, " (%d bytes each)", sc.upload)
	}
	fmt.Fprintln(md)
	if sc.note != "" {
		fmt.Fprintf(md, "\n%s.\n", sc.note)
	}
	fmt.Fprintln(md, "\n| server | req/s | ×gowsgi | ×ceiling | p50 | p99 | cold start | RSS main | RSS workers | notes |")
	fmt.Fprintln(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, s := range list {
		runs := res[s.name]
		var note string
		var rps, p50, p99, cold, rm, ro []float64
		var vsG, vsC []float64
		for _, r := range runs {
			if r.err != "" {
				note = r.err
				continue
			}
			if r.errors != "" {
				note = r.errors
			}
			rps = append(rps, r.rps)
			p50 = append(p50, float64(r.p50))
			p99 = append(p99, float64(r.p99))
			cold = append(cold, float64(r.cold))
			rm = append(rm, float64(r.rssMain))
			ro = append(ro, float64(r.rssOthers))
			if g := peerRun(list, res, s, r.round); g > 0 {
				vsG = append(vsG, r.rps/g)
			}
			c := roundRPS(res, "go net/http (ceiling)", r.round)
			if sc.ceiling != "/download?size=1048576" && sc.ceiling != "/upload" && sc.name != "hello" && sc.name != "hello-c64" {
				c = ceilingHello[r.round]
			}
			if c > 0 {
				vsC = append(vsC, r.rps/c)
			}
		}
		if len(rps) == 0 {
			fmt.Fprintf(md, "| %s | – | | | | | | | | %s |\n", s.name, note)
			continue
		}
		fmt.Fprintf(md, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.name, median(rps),
			ratio(vsG), ratio(vsC), fmtDur(time.Duration(median(p50))), fmtDur(time.Duration(median(p99))),
			fmtDur(time.Duration(median(cold))), mib(median(rm)), mib(max0(ro)), note)
	}
	fmt.Fprintln(md)
}

// peerRun is the req/s of the gowsgi run this server compares to, in round r.
func peerRun(list []server, res map[string][]run, s server, r int) float64 {
	want := "gowsgi 1 worker"
	if s.procs == 2 {
		want = "gowsgi 2 workers"
	}
	return roundRPS(res, want, r)
}

func roundRPS(res map[string][]run, name string, r int) float64 {
	for _, x := range res[name] {
		if x.round == r && x.err == "" {
			return x.rps
		}
	}
	return 0
}

// targets checks issue #12's targets against the runs.
func targets(md *bytes.Buffer, results map[string]map[string][]run, ceilingHello map[int]float64) {
	fmt.Fprintln(md, "## Targets (issue #12)")
	fmt.Fprintln(md, "\n| target | measured (median of the rounds' ratios) | met |")
	fmt.Fprintln(md, "|---|---|---|")
	ratioOf := func(scen, a, b string) []float64 {
		var out []float64
		for _, r := range results[scen][a] {
			if r.err != "" {
				continue
			}
			if o := roundRPS(results[scen], b, r.round); o > 0 {
				out = append(out, r.rps/o)
			}
		}
		return out
	}
	row := func(what string, v []float64, min float64) {
		if len(v) == 0 {
			fmt.Fprintf(md, "| %s | not measured | |\n", what)
			return
		}
		met := "no"
		if median(v) >= min {
			met = "yes"
		}
		fmt.Fprintf(md, "| %s | %s | %s |\n", what, ratio(v), met)
	}
	row("hello, 1 worker ≥ 0.6× ceiling", ratioOf("hello", "gowsgi 1 worker", "go net/http (ceiling)"), 0.6)
	row("hello, 2 workers ≥ 0.7× ceiling", ratioOf("hello", "gowsgi 2 workers", "go net/http (ceiling)"), 0.7)
	row("gpython hello ≥ 0.5× ceiling", ratioOf("hello", "gowsgi gpython", "go net/http (ceiling)"), 0.5)
	row("Flask, 1 process ≥ 1.3× gunicorn sync", ratioOf("flask", "gowsgi 1 worker", "gunicorn sync 1"), 1.3)
	row("Flask, 2 processes ≥ 1.3× gunicorn sync", ratioOf("flask", "gowsgi 2 workers", "gunicorn sync 2"), 1.3)
	row("Django, 1 process ≥ 1.3× gunicorn sync", ratioOf("django", "gowsgi 1 worker", "gunicorn sync 1"), 1.3)
	row("Django, 2 processes ≥ 1.3× gunicorn sync", ratioOf("django", "gowsgi 2 workers", "gunicorn sync 2"), 1.3)
	row("FastAPI, 1 process ≥ 2× uvicorn", ratioOf("fastapi", "gowsgi 1 worker", "uvicorn 1"), 2)
	// Sleeping Flask view: 20 threads at 50 ms are 400 req/s at most.
	var sl []float64
	for _, r := range results["flask-sleep50"]["gowsgi 1 worker"] {
		if r.err == "" {
			sl = append(sl, r.rps/400)
		}
	}
	row("Flask view sleeping 50 ms runs 20 at a time (× the 400 req/s of 20 threads)", sl, 0.9)
	// p99 at 64 connections against gunicorn sync with as many processes.
	for _, n := range []string{"1", "2"} {
		g := "gowsgi 1 worker"
		if n == "2" {
			g = "gowsgi 2 workers"
		}
		var v []float64
		for _, r := range results["hello-c64"][g] {
			for _, o := range results["hello-c64"]["gunicorn sync "+n] {
				if o.round == r.round && r.err == "" && o.err == "" && r.p99 > 0 {
					v = append(v, float64(o.p99)/float64(r.p99))
				}
			}
		}
		row("p99 at 64 connections, "+n+" process(es): gunicorn sync's p99 over ours ≥ 1", v, 1)
	}
	var cold, rssG []float64
	for _, r := range results["hello"]["gowsgi 1 worker"] {
		if r.err == "" {
			cold = append(cold, float64(r.cold)/float64(time.Millisecond))
		}
	}
	for _, sc := range results {
		for name, runs := range sc {
			if strings.HasPrefix(name, "gowsgi") {
				for _, r := range runs {
					if r.err == "" {
						rssG = append(rssG, float64(r.rssMain)/1024)
					}
				}
			}
		}
	}
	if len(cold) > 0 {
		met := "no"
		if median(cold) <= 20 {
			met = "yes"
		}
		fmt.Fprintf(md, "| cold start, hello, ≤ 20 ms | %.1f ms (median; %.1f–%.1f) | %s |\n", median(cold), minOf(cold), max0(cold), met)
	}
	if len(rssG) > 0 {
		met := "no"
		if max0(rssG) < 25 {
			met = "yes"
		}
		fmt.Fprintf(md, "| the Go process < 25 MB RSS under load | %.1f MiB at most, over every scenario | %s |\n", max0(rssG), met)
	}
	fmt.Fprintln(md)
}

func available(servers []server, py string) []server {
	var out []server
	for _, s := range servers {
		if skipped(s.name) {
			continue
		}
		a := s.argv(app{dir: ".", dotted: "x.y", colon: "x:y"}, 1)
		if a == nil {
			a = s.argv(app{dir: ".", dotted: "x.y", colon: "x:y", asgi: true}, 1)
		}
		if a == nil {
			out = append(out, s)
			continue
		}
		ok := true
		if a[0] == py && len(a) > 2 && a[1] == "-m" {
			ok = exec.Command(py, "-c", "import "+a[2]).Run() == nil
		} else if _, err := exec.LookPath(a[0]); err != nil {
			ok = false
		}
		if a[0] == "uwsgi" && ok {
			ok = exec.Command("uwsgi", "--plugin", "python3", "--help").Run() == nil
		}
		if !ok {
			fmt.Fprintf(os.Stderr, "harness: %s is not installed: left out\n", s.name)
			continue
		}
		out = append(out, s)
	}
	return out
}

func gowsgiHasASGI(gw string) bool {
	o, _ := exec.Command(gw, "web", "--help").CombinedOutput()
	return bytes.Contains(o, []byte("--asgi"))
}

func skipped(name string) bool {
	for _, p := range strings.Split(*skip, ",") {
		if p != "" && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func selected(name, list string) bool {
	if list == "" {
		return true
	}
	for _, p := range strings.Split(list, ",") {
		if p == name {
			return true
		}
	}
	return false
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func max0(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func ratio(v []float64) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) == 1 {
		return fmt.Sprintf("%.2f", v[0])
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(v), minOf(v), max0(v))
}

func mib(kib float64) string {
	if kib == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f MiB", kib/1024)
}

func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

func numCPU() int { return runtime.NumCPU() }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}
