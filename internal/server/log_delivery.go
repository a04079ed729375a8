package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

// logDeliveryOperations adds Set- and GetLogDeliveryConfiguration.
func (s *Server) logDeliveryOperations(ops map[string]handler) {
	ops["SetLogDeliveryConfiguration"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId        string
		LogConfigurations []userpool.LogConfiguration
	}) (any, error) {
		configs, err := s.Pools.SetLogDelivery(ctx, in.UserPoolId, in.LogConfigurations)
		return logDeliveryConfigurationResponse{renderLogDelivery(in.UserPoolId, configs)}, err
	})
	ops["GetLogDeliveryConfiguration"] = typed(func(ctx context.Context, c *call, in *struct{ UserPoolId string }) (any, error) {
		configs, err := s.Pools.LogDelivery(ctx, in.UserPoolId)
		return logDeliveryConfigurationResponse{renderLogDelivery(in.UserPoolId, configs)}, err
	})
}

func renderLogDelivery(poolID string, configs []userpool.LogConfiguration) wireLogDeliveryConfiguration {
	if configs == nil {
		configs = []userpool.LogConfiguration{}
	}
	return wireLogDeliveryConfiguration{UserPoolId: poolID, LogConfigurations: configs}
}
