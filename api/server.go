package api

import (
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// DefaultBodyLimit is the largest request body accepted: 1 MiB.
const DefaultBodyLimit = 1 << 20

// Options are the server's optional settings.
type Options struct {
	// Now is the clock, for the default as_of and audit times (time.Now).
	Now func() time.Time
	// BodyLimit is the largest request body in bytes (DefaultBodyLimit).
	BodyLimit int64
	// Pprof mounts net/http/pprof under /debug/pprof/.
	Pprof bool
}

// Server is the REST API. Build it with NewServer; it is an http.Handler.
type Server struct {
	echo      *echo.Echo
	engine    *engine.Engine
	store     models.Store // nil: only the public, stateless endpoints
	decoder   *Decoder
	logger    *slog.Logger
	now       func() time.Time
	bodyLimit int64
	openapi   []byte
}

//go:embed openapi.yaml
var openAPIYAML []byte

// NewServer builds the API from its dependencies: the logger, the loaded
// rule engine, the store (nil serves only the public, stateless endpoints:
// evaluation, rules, health and the OpenAPI document) and the options.
func NewServer(logger *slog.Logger, eng *engine.Engine, st models.Store, opts Options) (*Server, error) {
	spec, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	s := &Server{
		echo:      echo.New(),
		engine:    eng,
		store:     st,
		decoder:   NewDecoder(eng),
		logger:    logger,
		now:       opts.Now,
		bodyLimit: opts.BodyLimit,
		openapi:   spec,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = DefaultBodyLimit
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.routes(opts)
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists the registered routes, for the OpenAPI coverage test.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// openAPIJSON converts the embedded OpenAPI document to JSON once.
func openAPIJSON() ([]byte, error) {
	var node yaml.Node
	if err := yaml.Unmarshal(openAPIYAML, &node); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	out, err := engine.YAMLToJSON(&node)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return out, nil
}

// today is the evaluation date when a request names none.
func (s *Server) today() models.Date { return models.LocalDate(s.now()) }
