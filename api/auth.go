package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// API keys are "sk_" and 32 random bytes in base32. Only their SHA-256 is
// stored: a key that leaks from the database cannot be used.
const keyPrefix = "sk_"

const ctxActor = "actor"

// NewAPIKey makes a new key for role (and the subject a subject key is
// bound to): the secret to hand out once, and the record and hash to store.
func NewAPIKey(role, subject, label string) (secret string, key models.APIKey, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	key = models.APIKey{Role: role, Subject: subject, Label: label} // the store gives it an id
	return secret, key, HashKey(secret)
}

// HashKey is the stored form of a key's secret.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CheckKeyRole checks the role and subject a new key is created with.
func CheckKeyRole(role, subject string) error {
	if !slices.Contains(models.Roles, role) {
		return models.InvalidInput(models.Field("role", "oneof", strings.Join(models.Roles, ", ")))
	}
	switch role {
	case models.RoleEnterprise:
		if p := models.CreditCodeProblem(subject); p != "" {
			return models.InvalidInput(models.Field("subject", "credit_"+p))
		}
	case models.RoleUniversity:
		if !validUniversityCode(subject) {
			return models.InvalidInput(models.Field("subject", "subject_code"))
		}
	default:
		if subject != "" {
			return models.InvalidInput(models.Field("subject", "invalid"))
		}
	}
	return nil
}

// authenticate requires a known, unrevoked key: no key or an unknown one is
// 401. The key's actor is kept for the handlers and the audit trail.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		header := c.Request().Header.Get(echo.HeaderAuthorization)
		secret, ok := strings.CutPrefix(header, "Bearer ")
		if !ok || secret == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="subsidy"`)
			return models.Errorf(models.CodeUnauthorized, "缺少 API 密钥：请在 Authorization 头中以 Bearer 方式提供", "an API key is required: send Authorization: Bearer KEY")
		}
		key, err := s.store.KeyByHash(c.Request().Context(), HashKey(strings.TrimSpace(secret)))
		if models.CodeOf(err) == models.CodeNotFound || (err == nil && key.RevokedAt != nil) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="subsidy", error="invalid_token"`)
			return models.Errorf(models.CodeUnauthorized, "API 密钥无效或已吊销", "the API key is unknown or revoked")
		}
		if err != nil {
			return err
		}
		c.Set(ctxActor, models.Actor{KeyID: key.ID, Role: key.Role, Subject: key.Subject, RequestID: requestIDOf(c)})
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

// ownSubject hides other subjects' data from subject keys: an enterprise or
// university key asking for another subject gets 404, as if it did not exist.
func ownSubject(c echo.Context, code string, what string) error {
	a := actorOf(c)
	if (a.Role == models.RoleEnterprise || a.Role == models.RoleUniversity) && a.Subject != code {
		return models.NotFound(what)
	}
	return nil
}
