// Command echofloor is the floor the evaluate endpoint is measured against
// (BENCHMARKS.md): a bare echo server that reads a POST body and answers a
// fixed JSON answer of the evaluate endpoint's size (3,700 bytes, as for
// testdata/evaluate/enterprise-province.json), with none of subsidy's work.
// Load it as make loadtest loads the real server:
//
//	go run ./bench/echofloor --addr 127.0.0.1:18481
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"
)

// answerSize is the size of the evaluate endpoint's answer to the province
// example, the request make loadtest sends.
const answerSize = 3700

func main() {
	addr := flag.String("addr", "127.0.0.1:18481", "address to listen on")
	answerFile := flag.String("answer", "", "a file holding the JSON answer to send (default: 3,700 bytes of JSON)")
	flag.Parse()
	answer := []byte(`{"padding":"` + strings.Repeat("x", answerSize-len(`{"padding":""}`)) + `"}`)
	if *answerFile != "" {
		b, err := os.ReadFile(*answerFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		answer = b
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.POST("/v1/evaluate", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, answer)
	})
	if err := e.Start(*addr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
