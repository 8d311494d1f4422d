package api

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"
)

// routes registers the middleware and every route of the API.
func (s *Server) routes(opts Options) {
	e := s.echo
	e.Use(requestID, s.accessLog, s.recoverPanic, language)

	// Public: no key needed.
	e.GET("/healthz", s.health)
	e.GET("/openapi.json", s.openAPI)
	e.POST("/v1/evaluate", s.evaluate)
	e.GET("/v1/rules", s.listRules)
	e.GET("/v1/rules/:id", s.getRule)

	if opts.Pprof {
		e.GET("/debug/pprof/*", echo.WrapHandler(pprofIndex()))
		e.GET("/debug/pprof/cmdline", echo.WrapHandler(http.HandlerFunc(pprof.Cmdline)))
		e.GET("/debug/pprof/profile", echo.WrapHandler(http.HandlerFunc(pprof.Profile)))
		e.GET("/debug/pprof/symbol", echo.WrapHandler(http.HandlerFunc(pprof.Symbol)))
		e.GET("/debug/pprof/trace", echo.WrapHandler(http.HandlerFunc(pprof.Trace)))
	}
}
