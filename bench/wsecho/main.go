// Command wsecho measures WebSocket echo throughput: N connections, each
// sending a text message and waiting for its echo, over and over, for a
// fixed time; it prints the echoed messages per second. The client is a
// minimal RFC 6455 one over net.Conn (masked frames, pings answered).
//
//	go run ./bench/wsecho -url ws://127.0.0.1:8080/ -c 16 -d 5s -size 64
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "ws://127.0.0.1:8080/", "the WebSocket URL (ws:// only)")
	conns := flag.Int("c", 16, "connections")
	dur := flag.Duration("d", 5*time.Second, "how long to measure")
	size := flag.Int("size", 64, "message size in bytes")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "ws" {
		fmt.Fprintln(os.Stderr, "wsecho: -url must be ws://host:port/path")
		os.Exit(2)
	}
	msg := make([]byte, *size)
	for i := range msg {
		msg[i] = 'a' + byte(i%26)
	}
	var count, failures atomic.Int64
	var started sync.WaitGroup
	var wg sync.WaitGroup
	begin := make(chan struct{})
	var stop atomic.Bool
	for i := 0; i < *conns; i++ {
		c, br, err := dial(u)
		if err != nil {
			fmt.Fprintf(os.Stderr, "wsecho: connection %d: %v\n", i, err)
			os.Exit(1)
		}
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			started.Done()
			<-begin
			for !stop.Load() {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Write(frame(0x1, msg)); err != nil {
					failures.Add(1)
					return
				}
				if err := readEcho(c, br, len(msg)); err != nil {
					failures.Add(1)
					return
				}
				count.Add(1)
			}
		}()
	}
	started.Wait()
	t0 := time.Now()
	close(begin)
	time.Sleep(*dur)
	n := count.Load()
	elapsed := time.Since(t0)
	stop.Store(true)
	wg.Wait()
	fmt.Printf("%.0f msgs/s (%d echoes of %d bytes over %d connections in %.1fs, %d failed connections)\n",
		float64(n)/elapsed.Seconds(), n, *size, *conns, elapsed.Seconds(), failures.Load())
}

func dial(u *url.URL) (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	k := make([]byte, 16)
	rand.Read(k)
	path := u.RequestURI()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, u.Host, base64.StdEncoding.EncodeToString(k))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if resp.StatusCode != 101 {
		c.Close()
		return nil, nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	return c, br, nil
}

// frame is one masked, final client frame.
func frame(op byte, p []byte) []byte {
	out := []byte{0x80 | op}
	switch n := len(p); {
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n < 1<<16:
		out = append(out, 0x80|126, byte(n>>8), byte(n))
	default:
		out = append(out, 0x80|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	var key [4]byte
	rand.Read(key[:])
	out = append(out, key[:]...)
	s := len(out)
	out = append(out, p...)
	for i := range p {
		out[s+i] ^= key[i%4]
	}
	return out
}

// readEcho reads frames until a whole data message of n bytes, answering pings.
func readEcho(c net.Conn, br *bufio.Reader, n int) error {
	got := 0
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return err
		}
		l := uint64(h[1] & 0x7f)
		switch l {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return err
			}
			l = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return err
			}
			l = binary.BigEndian.Uint64(b[:])
		}
		p := make([]byte, l)
		if _, err := io.ReadFull(br, p); err != nil {
			return err
		}
		switch op := h[0] & 0x0f; op {
		case 0x9:
			c.Write(frame(0xA, p))
		case 0xA:
		case 0x8:
			return errors.New("closed by the server")
		default:
			got += len(p)
			if h[0]&0x80 != 0 {
				if got != n {
					return fmt.Errorf("echo of %d bytes, sent %d", got, n)
				}
				return nil
			}
		}
	}
}
