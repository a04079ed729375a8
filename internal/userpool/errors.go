package userpool

import (
	"errors"
	"fmt"
)

// Error is the one error type the domain reports. Type is the literal Cognito
// exception name ("NotAuthorizedException"); it reaches the wire unchanged as
// `__type` and `x-amzn-ErrorType`, so callers never translate codes.
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Errorf builds an *Error of the given Cognito exception type.
func Errorf(typ, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Type: typ, Message: format}
	}
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// ErrorType returns the Cognito exception name of err, or InternalErrorException
// for anything that is not a domain error.
func ErrorType(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return InternalError
}

// ErrorMessage returns the public message of err; internal errors are never
// described to the caller.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error."
}

// IsType reports whether err is a domain error of the given type.
func IsType(err error, typ string) bool {
	var e *Error
	return errors.As(err, &e) && e.Type == typ
}

// Cognito exception names used across the code base.
const (
	InternalError              = "InternalErrorException"
	InvalidParameter           = "InvalidParameterException"
	InvalidPassword            = "InvalidPasswordException"
	NotAuthorized              = "NotAuthorizedException"
	ResourceNotFound           = "ResourceNotFoundException"
	UserNotFound               = "UserNotFoundException"
	UserNotConfirmed           = "UserNotConfirmedException"
	UsernameExists             = "UsernameExistsException"
	AliasExists                = "AliasExistsException"
	PasswordResetRequired      = "PasswordResetRequiredException"
	TooManyRequests            = "TooManyRequestsException"
	LimitExceeded              = "LimitExceededException"
	CodeMismatch               = "CodeMismatchException"
	ExpiredCode                = "ExpiredCodeException"
	Unauthorized               = "UnauthorizedException"
	UnsupportedOperation       = "UnsupportedOperationException"
	UnsupportedTokenType       = "UnsupportedTokenTypeException"
	InvalidUserPoolConfig      = "InvalidUserPoolConfigurationException"
	ConcurrentModification     = "ConcurrentModificationException"
	SerializationError         = "SerializationException"
	UnknownOperation           = "UnknownOperationException"
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	UnrecognizedClient         = "UnrecognizedClientException"
	InvalidSignature           = "InvalidSignatureException"
	IncompleteSignature        = "IncompleteSignatureException"
	AccessDenied               = "AccessDeniedException"
	RefreshTokenReuse          = "RefreshTokenReuseException"
	FeatureUnavailableInTier   = "FeatureUnavailableInTierException"
	WebAuthnNotEnabled         = "WebAuthnNotEnabledException"
)
