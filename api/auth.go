package api

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

const ctxActor = "actor"

// authenticate requires a known, unrevoked key: no key or an unknown one is
// 401. The key's actor is kept for the handlers and the audit trail.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		secret, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="subsidy"`)
			return models.Errorf(models.CodeUnauthorized, "缺少 API 密钥：请在 Authorization 头中以 Bearer 方式提供", "an API key is required: send Authorization: Bearer KEY")
		}
		actor, err := s.app.Authenticate(c.Request().Context(), secret, requestIDOf(c))
		if models.CodeOf(err) == models.CodeUnauthorized {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="subsidy", error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		c.Set(ctxActor, actor)
		return next(c)
	}
}

// allow lets only the given roles through: a known key of another role is 403.
func allow(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !slices.Contains(roles, actorOf(c).Role) {
				return models.Errorf(models.CodeForbidden, "当前密钥的角色无权执行此操作", "this key's role may not do this")
			}
			return next(c)
		}
	}
}

func actorOf(c echo.Context) models.Actor {
	a, _ := c.Get(ctxActor).(models.Actor)
	return a
}
