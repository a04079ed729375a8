package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// SetLogDeliveryConfiguration keeps what GetLogDeliveryConfiguration
// shows, refuses what the model's rules forbid, and survives an
// UpdateUserPool (which resets only its own members).
func TestLogDeliveryConfiguration(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	poolID := w.pool("logs", nil)
	get := func() []types.LogConfigurationType {
		t.Helper()
		out, err := w.api.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: &poolID})
		w.check(err)
		if *out.LogDeliveryConfiguration.UserPoolId != poolID {
			t.Fatalf("UserPoolId %s", *out.LogDeliveryConfiguration.UserPoolId)
		}
		return out.LogDeliveryConfiguration.LogConfigurations
	}
	if got := get(); len(got) != 0 {
		t.Fatalf("a new pool has %d log configurations", len(got))
	}
	notifications := types.LogConfigurationType{LogLevel: types.LogLevelError, EventSource: types.EventSourceNameUserNotification,
		CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:cognito")}}
	activity := types.LogConfigurationType{LogLevel: types.LogLevelInfo, EventSource: types.EventSourceNameUserAuthEvents,
		S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String("arn:aws:s3:::cognito-activity")}}
	set, err := w.api.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: &poolID,
		LogConfigurations: []types.LogConfigurationType{notifications, activity}})
	w.check(err)
	if n := len(set.LogDeliveryConfiguration.LogConfigurations); n != 2 {
		t.Fatalf("Set answered %d configurations", n)
	}
	w.ok(w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID}))
	got := get()
	if len(got) != 2 || *got[0].CloudWatchLogsConfiguration.LogGroupArn != *notifications.CloudWatchLogsConfiguration.LogGroupArn ||
		*got[1].S3Configuration.BucketArn != "arn:aws:s3:::cognito-activity" || got[1].LogLevel != types.LogLevelInfo {
		t.Fatalf("after UpdateUserPool: %+v", got)
	}

	for _, c := range []struct {
		name    string
		configs []types.LogConfigurationType
		msg     string
	}{
		{"two destinations", []types.LogConfigurationType{{LogLevel: types.LogLevelInfo, EventSource: types.EventSourceNameUserAuthEvents,
			S3Configuration: activity.S3Configuration, CloudWatchLogsConfiguration: notifications.CloudWatchLogsConfiguration}},
			"A log configuration must name exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration."},
		{"no destination", []types.LogConfigurationType{{LogLevel: types.LogLevelError, EventSource: types.EventSourceNameUserNotification}},
			"A log configuration must name exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration."},
		{"notifications to S3", []types.LogConfigurationType{{LogLevel: types.LogLevelError, EventSource: types.EventSourceNameUserNotification,
			S3Configuration: activity.S3Configuration}}, "userNotification logs are delivered at the ERROR level to CloudWatchLogsConfiguration."},
		{"activity at ERROR", []types.LogConfigurationType{{LogLevel: types.LogLevelError, EventSource: types.EventSourceNameUserAuthEvents,
			S3Configuration: activity.S3Configuration}}, "userAuthEvents logs are delivered at the INFO level."},
		{"one source twice", []types.LogConfigurationType{notifications, notifications},
			"Only one log configuration per event source is allowed: userNotification appears twice."},
	} {
		_, err := w.api.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: &poolID, LogConfigurations: c.configs})
		t.Run(c.name, func(t *testing.T) { wantAPIError(t, err, "InvalidParameterException", c.msg) })
	}
	if got := get(); len(got) != 2 {
		t.Fatalf("a refused request changed the configuration: %+v", got)
	}
	w.ok(w.api.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: &poolID,
		LogConfigurations: []types.LogConfigurationType{}}))
	if got := get(); len(got) != 0 {
		t.Fatalf("an empty list left %d configurations", len(got))
	}
}
