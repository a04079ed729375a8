package userpool

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/secret"
)

// Device remembered statuses (DeviceRememberedStatusType).
const (
	DeviceRemembered    = "remembered"
	DeviceNotRemembered = "not_remembered"
)

// NewDevice is NewDeviceMetadataType: handed out on a sign-in from a new
// device when the pool tracks devices.
type NewDevice struct {
	DeviceKey      string
	DeviceGroupKey string
}

func tracksDevices(p *Pool) bool { return p.Settings.DeviceConfiguration != nil }

func errNoDevice() error { return Errorf(ResourceNotFound, "Device does not exist.") }

// userDevice returns the device if it belongs to the user.
func userDevice(ctx context.Context, st DeviceStore, poolID, sub, key string) (Device, error) {
	d, err := st.GetDevice(ctx, poolID, key)
	if errors.Is(err, ErrNotFound) || (err == nil && d.UserSub != sub) {
		return Device{}, errNoDevice()
	}
	return d, err
}

// newDevice registers an unconfirmed device for a sign-in.
func newDevice(ctx context.Context, st DeviceStore, pool *Pool, user *User, now Clock) (Device, error) {
	region, _ := SplitPoolID(pool.ID)
	d := Device{PoolID: pool.ID, Key: region + "_" + uuid.NewString(), GroupKey: "-" + secret.RandomAlphanumeric(9),
		UserSub: user.Sub, CreatedAt: now(), ModifiedAt: now(), LastAuthAt: now()}
	return d, st.CreateDevice(ctx, d)
}

// Devices serves the device operations, by access token or by admin.
type Devices struct {
	Store    Store
	Now      Clock
	Sessions *Sessions
}

// ConfirmDevice stores the device's SRP verifier; it answers whether the
// user must still choose to remember the device.
func (s *Devices) ConfirmDevice(ctx context.Context, accessToken, key string, salt, verifier []byte, name string) (bool, error) {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return false, err
	}
	pool := a.Pool
	if _, err := userDevice(ctx, s.Store, pool.ID, a.User.Sub, key); err != nil {
		return false, err
	}
	if len(verifier) == 0 || len(salt) == 0 {
		return false, Errorf(InvalidParameter, "DeviceSecretVerifierConfig requires PasswordVerifier and Salt.")
	}
	prompt := tracksDevices(&pool) && pool.Settings.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt
	_, err = s.Store.UpdateDevice(ctx, pool.ID, key, func(d Device) (Device, error) {
		d.Salt, d.Verifier, d.Name, d.ModifiedAt = salt, verifier, name, s.Now()
		if !prompt {
			d.Remembered = DeviceRemembered
		}
		return d, nil
	})
	return prompt, err
}

func checkStatus(status string) error {
	if status != "" && status != DeviceRemembered && status != DeviceNotRemembered {
		return Errorf(InvalidParameter, "Invalid device remembered status: %s", status)
	}
	return nil
}

func (s *Devices) setStatus(ctx context.Context, poolID, sub, key, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	if _, err := userDevice(ctx, s.Store, poolID, sub, key); err != nil {
		return err
	}
	_, err := s.Store.UpdateDevice(ctx, poolID, key, func(d Device) (Device, error) {
		d.Remembered, d.ModifiedAt = status, s.Now()
		return d, nil
	})
	return err
}

// UpdateDeviceStatus is UpdateDeviceStatus.
func (s *Devices) UpdateDeviceStatus(ctx context.Context, accessToken, key, status string) error {
	a, err := s.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return err
	}
	return s.setStatus(ctx, a.User.PoolID, a.User.Sub, key, status)
}

// adminUser resolves the user of an admin device call.
func (s *Devices) adminUser(ctx context.Context, poolID, username string) (User, error) {
	_, u, _, err := poolUser(ctx, s.Store, poolID, username)
	return u, err
}

// AdminUpdateDeviceStatus is AdminUpdateDeviceStatus.
func (s *Devices) AdminUpdateDeviceStatus(ctx context.Context, poolID, username, key, status string) error {
	u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.setStatus(ctx, poolID, u.Sub, key, status)
}

// GetDevice is GetDevice.
func (s *Devices) GetDevice(ctx context.Context, accessToken, key string) (Device, error) {
	a, err := s.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return Device{}, err
	}
	return userDevice(ctx, s.Store, a.User.PoolID, a.User.Sub, key)
}

// AdminGetDevice is AdminGetDevice.
func (s *Devices) AdminGetDevice(ctx context.Context, poolID, username, key string) (Device, error) {
	u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return Device{}, err
	}
	return userDevice(ctx, s.Store, poolID, u.Sub, key)
}

func (s *Devices) list(ctx context.Context, poolID, sub string, limit int, token string) ([]Device, string, error) {
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	ds, err := s.Store.ListDevices(ctx, poolID, sub, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	ds, next := page(ds, limit, func(d Device) string { return d.Key })
	return ds, next, nil
}

// ListDevices is ListDevices.
func (s *Devices) ListDevices(ctx context.Context, accessToken string, limit int, token string) ([]Device, string, error) {
	a, err := s.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return nil, "", err
	}
	return s.list(ctx, a.User.PoolID, a.User.Sub, limit, token)
}

// AdminListDevices is AdminListDevices.
func (s *Devices) AdminListDevices(ctx context.Context, poolID, username string, limit int, token string) ([]Device, string, error) {
	u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return nil, "", err
	}
	return s.list(ctx, poolID, u.Sub, limit, token)
}

func (s *Devices) forget(ctx context.Context, poolID, sub, key string) error {
	if _, err := userDevice(ctx, s.Store, poolID, sub, key); err != nil {
		return err
	}
	if err := s.Store.DeleteDevice(ctx, poolID, key); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// ForgetDevice is ForgetDevice.
func (s *Devices) ForgetDevice(ctx context.Context, accessToken, key string) error {
	a, err := s.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return err
	}
	return s.forget(ctx, a.User.PoolID, a.User.Sub, key)
}

// AdminForgetDevice is AdminForgetDevice.
func (s *Devices) AdminForgetDevice(ctx context.Context, poolID, username, key string) error {
	u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.forget(ctx, poolID, u.Sub, key)
}
