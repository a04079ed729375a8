package userpool

import "context"

// A pool's log delivery configuration (SetLogDeliveryConfiguration,
// GetLogDeliveryConfiguration): where Cognito would export its
// user-notification errors and, with threat protection, its user-activity
// logs. Cognate keeps the configuration so that what deploys it (the
// AWS CLI, Terraform, CDK) works unchanged, and delivers nothing: there is
// no CloudWatch, S3 or Firehose beside a local server. Its own audit log
// (security events as structured lines in the server log) is where
// Cognate writes such events.
//
// The rules are those the model documents for LogConfigurationType:
// userNotification logs are ERROR-level and go to CloudWatch Logs;
// userAuthEvents logs are INFO-level and go to one of CloudWatch Logs, S3
// or Firehose. Each configuration names exactly one destination, and a
// pool has at most one per event source (the list holds at most two).
// Cognito's messages for these refusals are not published; these are
// Cognate's.

// LogConfiguration is LogConfigurationType.
type LogConfiguration struct {
	LogLevel                    string                       `json:"LogLevel"`
	EventSource                 string                       `json:"EventSource"`
	CloudWatchLogsConfiguration *CloudWatchLogsConfiguration `json:"CloudWatchLogsConfiguration,omitempty"`
	S3Configuration             *S3LogConfiguration          `json:"S3Configuration,omitempty"`
	FirehoseConfiguration       *FirehoseLogConfiguration    `json:"FirehoseConfiguration,omitempty"`
}

// CloudWatchLogsConfiguration is CloudWatchLogsConfigurationType.
type CloudWatchLogsConfiguration struct {
	LogGroupArn string `json:"LogGroupArn,omitempty"`
}

// S3LogConfiguration is S3ConfigurationType.
type S3LogConfiguration struct {
	BucketArn string `json:"BucketArn,omitempty"`
}

// FirehoseLogConfiguration is FirehoseConfigurationType.
type FirehoseLogConfiguration struct {
	StreamArn string `json:"StreamArn,omitempty"`
}

// SetLogDelivery replaces the pool's log configurations.
func (s *Pools) SetLogDelivery(ctx context.Context, poolID string, configs []LogConfiguration) ([]LogConfiguration, error) {
	if err := checkLogConfigurations(configs); err != nil {
		return nil, err
	}
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return nil, err
	}
	p, err := s.Store.UpdatePool(ctx, poolID, func(p Pool) (Pool, error) {
		p.Settings.LogDeliveryConfiguration = configs
		p.ModifiedAt = s.Now()
		return p, nil
	})
	return p.Settings.LogDeliveryConfiguration, err
}

// LogDelivery returns the pool's log configurations.
func (s *Pools) LogDelivery(ctx context.Context, poolID string) ([]LogConfiguration, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	return p.Settings.LogDeliveryConfiguration, err
}

func checkLogConfigurations(configs []LogConfiguration) error {
	seen := map[string]bool{}
	for _, c := range configs {
		if seen[c.EventSource] {
			return Errorf(InvalidParameter, "Only one log configuration per event source is allowed: %s appears twice.", c.EventSource)
		}
		seen[c.EventSource] = true
		destinations := 0
		for _, named := range []bool{c.CloudWatchLogsConfiguration != nil, c.S3Configuration != nil, c.FirehoseConfiguration != nil} {
			if named {
				destinations++
			}
		}
		if destinations != 1 {
			return Errorf(InvalidParameter, "A log configuration must name exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration.")
		}
		switch c.EventSource {
		case "userNotification":
			if c.LogLevel != "ERROR" || c.CloudWatchLogsConfiguration == nil {
				return Errorf(InvalidParameter, "userNotification logs are delivered at the ERROR level to CloudWatchLogsConfiguration.")
			}
		case "userAuthEvents":
			if c.LogLevel != "INFO" {
				return Errorf(InvalidParameter, "userAuthEvents logs are delivered at the INFO level.")
			}
		}
	}
	return nil
}
