package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

type deviceRef struct {
	AccessToken string
	DeviceKey   string
}

type adminDeviceRef struct {
	UserPoolId, Username, DeviceKey string
}

type confirmDeviceInput struct {
	AccessToken                string
	DeviceKey                  string
	DeviceName                 string
	DeviceSecretVerifierConfig struct {
		PasswordVerifier []byte // base64 on the wire
		Salt             []byte
	}
}

// deviceOperations adds the device tracking operations to the table.
func (s *Server) deviceOperations(ops map[string]handler) {
	ops["ConfirmDevice"] = typed(func(ctx context.Context, c *call, in *confirmDeviceInput) (any, error) {
		must, err := s.Devices.ConfirmDevice(ctx, in.AccessToken, in.DeviceKey, in.DeviceSecretVerifierConfig.Salt,
			in.DeviceSecretVerifierConfig.PasswordVerifier, in.DeviceName)
		return confirmDeviceResponse{must}, err
	})
	ops["UpdateDeviceStatus"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken, DeviceKey, DeviceRememberedStatus string
	}) (any, error) {
		return empty{}, s.Devices.UpdateDeviceStatus(ctx, in.AccessToken, in.DeviceKey, in.DeviceRememberedStatus)
	})
	ops["AdminUpdateDeviceStatus"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId, Username, DeviceKey, DeviceRememberedStatus string
	}) (any, error) {
		return empty{}, s.Devices.AdminUpdateDeviceStatus(ctx, in.UserPoolId, in.Username, in.DeviceKey, in.DeviceRememberedStatus)
	})
	ops["GetDevice"] = typed(func(ctx context.Context, c *call, in *deviceRef) (any, error) {
		d, err := s.Devices.GetDevice(ctx, in.AccessToken, in.DeviceKey)
		return deviceResponse{renderDevice(d)}, err
	})
	ops["AdminGetDevice"] = typed(func(ctx context.Context, c *call, in *adminDeviceRef) (any, error) {
		d, err := s.Devices.AdminGetDevice(ctx, in.UserPoolId, in.Username, in.DeviceKey)
		return deviceResponse{renderDevice(d)}, err
	})
	ops["ListDevices"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken     string
		Limit           int
		PaginationToken string
	}) (any, error) {
		ds, next, err := s.Devices.ListDevices(ctx, in.AccessToken, in.Limit, in.PaginationToken)
		return devicesResponse{Devices: renderList(ds, renderDevice), PaginationToken: next}, err
	})
	ops["AdminListDevices"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId, Username string
		Limit                int
		PaginationToken      string
	}) (any, error) {
		ds, next, err := s.Devices.AdminListDevices(ctx, in.UserPoolId, in.Username, in.Limit, in.PaginationToken)
		return devicesResponse{Devices: renderList(ds, renderDevice), PaginationToken: next}, err
	})
	ops["ForgetDevice"] = typed(func(ctx context.Context, c *call, in *deviceRef) (any, error) {
		if in.AccessToken == "" {
			return nil, userpool.Errorf(userpool.InvalidParameter, "AccessToken is required to forget a device.")
		}
		return empty{}, s.Devices.ForgetDevice(ctx, in.AccessToken, in.DeviceKey)
	})
	ops["AdminForgetDevice"] = typed(func(ctx context.Context, c *call, in *adminDeviceRef) (any, error) {
		return empty{}, s.Devices.AdminForgetDevice(ctx, in.UserPoolId, in.Username, in.DeviceKey)
	})
}
