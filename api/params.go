package api

import (
	"bytes"
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Reading a request: bodies and the values of its path and query, each
// checked by package input.

// decodeBody reads a JSON body into v (whose json:"-" fields the caller has
// set) and validates it.
func (s *Server) decodeBody(c echo.Context, v any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	return s.input.Decode(body, v)
}

// emptyBody reads the body of a request that takes none: empty or {}.
func (s *Server) emptyBody(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var empty struct{}
	return s.input.Decode(body, &empty)
}

// emptyBodyWithID reads the id of a transition whose body is empty or {}.
func (s *Server) emptyBodyWithID(c echo.Context) (int64, error) {
	id, err := idParam(c)
	if err != nil {
		return 0, err
	}
	if err := s.emptyBody(c); err != nil {
		return 0, err
	}
	return id, nil
}

func creditCodeParam(c echo.Context) (string, error) {
	return input.CreditCode("credit_code", c.Param("credit_code"))
}

func universityCodeParam(c echo.Context) (string, error) {
	return input.UniversityCode("code", c.Param("code"))
}

func idParam(c echo.Context) (int64, error) { return input.ID("id", c.Param("id")) }

// asOfParam reads ?as_of, today by default.
func (s *Server) asOfParam(c echo.Context) (models.Date, error) {
	return input.Date("as_of", c.QueryParam("as_of"), s.today())
}

// pageParams reads the page a list is asked for: ?limit= and ?after=.
func pageParams(c echo.Context) (limit int, after int64, err error) {
	if limit, err = input.Limit(c.QueryParam("limit")); err != nil {
		return 0, 0, err
	}
	if after, err = input.AfterID(c.QueryParam("after")); err != nil {
		return 0, 0, err
	}
	return limit, after, nil
}

// nextAfter is the key the next page starts after: that of the last item
// of a full page, the zero key otherwise.
func nextAfter[T any, K comparable](list []T, limit int, key func(T) K) K {
	var zero K
	if len(list) == 0 || len(list) < limit {
		return zero
	}
	return key(list[len(list)-1])
}

// joinInvalid joins the bad fields of the errors of several parameters
// into one invalid-input error (nil when there is none).
func joinInvalid(errs ...error) error {
	var fields []models.FieldError
	for _, err := range errs {
		var e *models.Error
		if errors.As(err, &e) {
			fields = append(fields, e.Fields...)
		} else if err != nil {
			return err
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return models.InvalidInput(fields...)
}
