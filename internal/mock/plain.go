package mock

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// Secret is what Plain shows in place of a secret value when it redacts.
const Secret = "[secret]"

// Unknown is what Plain shows for a value not known until deployment.
const Unknown = "[unknown]"

// Plain converts a property value to plain Go values (string, float64, bool,
// []any, map[string]any, nil). With redact set, a secret becomes "[secret]";
// otherwise it is unwrapped. Unknown values become "[unknown]" and resource
// references their URN.
func Plain(v resource.PropertyValue, redact bool) any {
	switch {
	case v.IsSecret():
		if redact {
			return Secret
		}
		return Plain(v.SecretValue().Element, redact)
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret && redact {
			return Secret
		}
		if !o.Known {
			return Unknown
		}
		return Plain(o.Element, redact)
	case v.IsComputed():
		return Unknown
	case v.IsNull():
		return nil
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsBool():
		return v.BoolValue()
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, Plain(e, redact))
		}
		return out
	case v.IsObject():
		return PlainMap(v.ObjectValue(), redact)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset():
		return v.AssetValue().Hash
	case v.IsArchive():
		return v.ArchiveValue().Hash
	}
	return nil
}

// PlainMap converts a property map with Plain.
func PlainMap(m resource.PropertyMap, redact bool) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = Plain(v, redact)
	}
	return out
}

// Input returns the plain value of one input of r (secrets unwrapped), or nil.
func (r *Resource) Input(key string) any {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok {
		return nil
	}
	return Plain(v, false)
}

// IsSecretInput reports whether the input key of r is marked secret.
func (r *Resource) IsSecretInput(key string) bool {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	return ok && (v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret))
}

// stackOutputs turns plain stack outputs into the property maps the monitor
// returns for stack references, marking the listed outputs secret.
func stackOutputs(plain map[string]map[string]any, secret map[string][]string) map[string]resource.PropertyMap {
	out := map[string]resource.PropertyMap{}
	for name, outs := range plain {
		pm := resource.NewPropertyMapFromMap(outs)
		for _, k := range secret[name] {
			if v, ok := pm[resource.PropertyKey(k)]; ok {
				pm[resource.PropertyKey(k)] = resource.MakeSecret(v)
			}
		}
		out[name] = pm
	}
	return out
}
