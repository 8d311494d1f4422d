// Command echofloor is the floor the evaluate endpoint is measured against
// (BENCHMARKS.md): a bare echo server that reads a POST body and answers a
// fixed JSON answer of the evaluate endpoint's size, with none of subsidy's
// work. Load it as make loadtest loads the real server:
//
//	go run ./bench/echofloor --addr 127.0.0.1:18481 --answer testdata/evaluate/enterprise-province.answer.json
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18481", "address to listen on")
	answerFile := flag.String("answer", "", "the JSON answer to send (default: 4.6 KiB of JSON)")
	flag.Parse()
	answer := []byte(fmt.Sprintf(`{"padding":%q}`, make([]byte, 4600)))
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
