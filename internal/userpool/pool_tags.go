package userpool

import (
	"context"
	"strings"
)

// A pool's tags (TagResource, UntagResource, ListTagsForResource, and
// UserPoolTags of CreateUserPool/UpdateUserPool) are its settings'
// UserPoolTags. AWS allows 50 tags on a resource and reserves the "aws:"
// prefix for its own; Cognito's messages for either are not published,
// so these are Cognate's.
const maxPoolTags = 50

// TagPool adds tags to the pool, replacing the values of keys it has.
func (s *Pools) TagPool(ctx context.Context, poolID string, tags map[string]string) error {
	for k := range tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return Errorf(InvalidParameter, "Tag keys starting with aws: are reserved for use by AWS: %s.", k)
		}
	}
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	_, err := s.Store.UpdatePool(ctx, poolID, func(p Pool) (Pool, error) {
		merged := make(map[string]string, len(p.Settings.UserPoolTags)+len(tags))
		for k, v := range p.Settings.UserPoolTags {
			merged[k] = v
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > maxPoolTags {
			return p, Errorf(InvalidParameter, "A user pool can have at most %d tags; this request would leave it %d.", maxPoolTags, len(merged))
		}
		p.Settings.UserPoolTags = merged
		p.ModifiedAt = s.Now()
		return p, nil
	})
	return err
}

// UntagPool removes the tags of the given keys; keys the pool lacks are
// ignored, as AWS's untag operations do.
func (s *Pools) UntagPool(ctx context.Context, poolID string, keys []string) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	_, err := s.Store.UpdatePool(ctx, poolID, func(p Pool) (Pool, error) {
		kept := map[string]string{}
		for k, v := range p.Settings.UserPoolTags {
			kept[k] = v
		}
		for _, k := range keys {
			delete(kept, k)
		}
		if len(kept) == 0 {
			kept = nil
		}
		p.Settings.UserPoolTags = kept
		p.ModifiedAt = s.Now()
		return p, nil
	})
	return err
}

// PoolTags returns the pool's tags.
func (s *Pools) PoolTags(ctx context.Context, poolID string) (map[string]string, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return nil, err
	}
	return p.Settings.UserPoolTags, nil
}
