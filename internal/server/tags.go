package server

import (
	"context"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

// tagOperations adds the pool tag operations and GetCSVHeader to the table.
func (s *Server) tagOperations(ops map[string]handler) {
	p := s.Pools
	ops["TagResource"] = typed(func(ctx context.Context, c *call, in *struct {
		ResourceArn string
		Tags        map[string]string
	}) (any, error) {
		id, err := s.poolOfARN(in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return empty{}, p.TagPool(ctx, id, in.Tags)
	})
	ops["UntagResource"] = typed(func(ctx context.Context, c *call, in *struct {
		ResourceArn string
		TagKeys     []string
	}) (any, error) {
		id, err := s.poolOfARN(in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return empty{}, p.UntagPool(ctx, id, in.TagKeys)
	})
	ops["ListTagsForResource"] = typed(func(ctx context.Context, c *call, in *struct{ ResourceArn string }) (any, error) {
		id, err := s.poolOfARN(in.ResourceArn)
		if err != nil {
			return nil, err
		}
		tags, err := p.PoolTags(ctx, id)
		if tags == nil {
			tags = map[string]string{}
		}
		return listTagsForResourceResponse{Tags: tags}, err
	})
	ops["GetCSVHeader"] = typed(func(ctx context.Context, c *call, in *struct{ UserPoolId string }) (any, error) {
		header, err := p.CSVHeader(ctx, in.UserPoolId)
		return getCSVHeaderResponse{UserPoolId: in.UserPoolId, CSVHeader: header}, err
	})
}

// poolOfARN is the pool a user pool ARN of this server names
// (arn:aws:cognito-idp:<region>:<account>:userpool/<id>). Another
// service's ARN is refused; another account's or region's pool does not
// exist here.
func (s *Server) poolOfARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-idp" || !strings.HasPrefix(parts[5], "userpool/") {
		return "", userpool.Errorf(userpool.InvalidParameter, "%s is not a valid user pool ARN.", arn)
	}
	id := strings.TrimPrefix(parts[5], "userpool/")
	if region, _ := userpool.SplitPoolID(id); region != parts[3] || parts[4] != s.Account {
		return "", userpool.Errorf(userpool.ResourceNotFound, "User pool %s does not exist.", id)
	}
	return id, nil
}
