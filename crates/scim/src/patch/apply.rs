//! Applying parsed PATCH operations to a resource as JSON: a path's target found (case-
//! insensitively, the enterprise extension under its URN), plain and value-filtered targets,
//! and one primary per multi-valued attribute afterwards.

use serde_json::{Map, Value};

use super::{PatchOp, PatchOperation, PatchOptions, PatchPath, PatchRequest, prefix};
use crate::error::ScimError;
use crate::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::lenient::canonicalize_keys;
use crate::names::{ENTERPRISE_USER_URN, canonical_name, canonical_schema};

impl PatchRequest {
    /// Applies every operation in order; all or nothing.
    pub fn apply(&self, resource: &mut Value, options: PatchOptions) -> Result<(), ScimError> {
        let mut working = resource.clone();
        for (i, op) in self.operations.iter().enumerate() {
            op.apply(&mut working, options).map_err(|e| prefix(e, i))?;
        }
        fix_primaries(&mut working);
        *resource = working;
        Ok(())
    }
}

impl PatchOperation {
    fn apply(&self, resource: &mut Value, options: PatchOptions) -> Result<(), ScimError> {
        match &self.path {
            Some(path) => apply_at(resource, self.op, path, self.value.as_ref(), options),
            None => {
                let Some(Value::Object(map)) = &self.value else {
                    unreachable!("checked in parse")
                };
                for (key, value) in map {
                    if is_read_only(key) {
                        continue;
                    }
                    if let Some(ext) = canonical_schema(key).filter(|s| *s == ENTERPRISE_USER_URN) {
                        // `{"urn:...:enterprise:2.0:User": {"department": "x"}}`
                        let Value::Object(inner) = value else {
                            return Err(ScimError::invalid_value(format!(
                                "{ext} must be an object"
                            )));
                        };
                        for (sub, v) in inner {
                            let path = PatchPath {
                                attr: AttrPath {
                                    schema: Some(ext.to_owned()),
                                    ..AttrPath::new(sub)
                                },
                                filter: None,
                                filter_sub_attr: None,
                            };
                            apply_at(resource, self.op, &path, Some(v), options)?;
                        }
                        continue;
                    }
                    let path = PatchPath::parse(key)?;
                    apply_at(resource, self.op, &path, Some(value), options)?;
                }
                Ok(())
            }
        }
    }
}

fn is_read_only(key: &str) -> bool {
    ["id", "meta", "schemas"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

fn apply_at(
    resource: &mut Value,
    op: PatchOp,
    path: &PatchPath,
    value: Option<&Value>,
    options: PatchOptions,
) -> Result<(), ScimError> {
    if !path.attr.is_extension() && is_read_only(&path.attr.attr) {
        return Err(ScimError::mutability(format!(
            "{} is read-only",
            path.attr.attr
        )));
    }
    let value = value.map(|v| {
        let mut v = v.clone();
        canonicalize_keys(&mut v);
        v
    });
    let Some(container) = container_mut(resource, &path.attr, op != PatchOp::Remove) else {
        return Ok(()); // removing from an extension that is not there
    };
    let attr = &path.attr.attr;
    match (&path.filter, &path.attr.sub_attr) {
        (None, None) => apply_plain(container, attr, op, value),
        (None, Some(sub)) => {
            let target = match op {
                PatchOp::Remove => match get_ci_mut(container, attr) {
                    Some(t) => t,
                    None => return Ok(()),
                },
                _ => entry_ci(container, attr, || Value::Object(Map::new())),
            };
            match target {
                Value::Array(items) => {
                    for item in items.iter_mut().filter(|i| i.is_object()) {
                        apply_plain(
                            item.as_object_mut().expect("filtered"),
                            sub,
                            op,
                            value.clone(),
                        )?;
                    }
                    Ok(())
                }
                Value::Object(obj) => apply_plain(obj, sub, op, value),
                Value::Null => {
                    *target = Value::Object(Map::new());
                    apply_plain(target.as_object_mut().expect("just set"), sub, op, value)
                }
                _ => Err(ScimError::invalid_path(format!(
                    "{attr} has no sub-attribute {sub}"
                ))),
            }
        }
        (Some(filter), _) => apply_filtered(container, path, filter, op, value, options),
    }
}

/// The object an attribute lives in: the resource, or its enterprise extension object.
fn container_mut<'a>(
    resource: &'a mut Value,
    attr: &AttrPath,
    create: bool,
) -> Option<&'a mut Map<String, Value>> {
    let root = resource.as_object_mut()?;
    if !attr.is_extension() {
        return Some(root);
    }
    let key = root
        .keys()
        .find(|k| k.eq_ignore_ascii_case(ENTERPRISE_USER_URN))
        .cloned();
    let key = match key {
        Some(k) => k,
        None if create => {
            root.insert(ENTERPRISE_USER_URN.to_owned(), Value::Object(Map::new()));
            ENTERPRISE_USER_URN.to_owned()
        }
        None => return None,
    };
    let ext = root.get_mut(&key)?;
    if ext.is_null() {
        *ext = Value::Object(Map::new());
    }
    ext.as_object_mut()
}

fn apply_plain(
    container: &mut Map<String, Value>,
    attr: &str,
    op: PatchOp,
    value: Option<Value>,
) -> Result<(), ScimError> {
    match op {
        PatchOp::Remove => {
            let Some(key) = find_key(container, attr) else {
                return Ok(());
            };
            match (container.get_mut(&key), value) {
                // Entra: {"op":"remove","path":"members","value":[{"value":"42"}]}
                (Some(Value::Array(items)), Some(Value::Array(gone))) => {
                    items.retain(|item| !gone.iter().any(|g| same_value(item, g)));
                }
                _ => {
                    container.remove(&key);
                }
            }
            Ok(())
        }
        PatchOp::Add => {
            let value = value.expect("checked in parse");
            let target = entry_ci(container, attr, || Value::Null);
            match (target, value) {
                (Value::Array(items), Value::Array(new)) => {
                    for v in new {
                        if !items.iter().any(|i| i == &v) {
                            items.push(v);
                        }
                    }
                }
                (Value::Array(items), v) => {
                    if !items.iter().any(|i| i == &v) {
                        items.push(v);
                    }
                }
                (Value::Object(obj), Value::Object(new)) => obj.extend(new),
                (slot, v) => *slot = v,
            }
            Ok(())
        }
        PatchOp::Replace => {
            let value = value.expect("checked in parse");
            let target = entry_ci(container, attr, || Value::Null);
            match (target, value) {
                // Replacing a complex attribute replaces the sub-attributes given (§3.5.2.3).
                (Value::Object(obj), Value::Object(new)) => obj.extend(new),
                (slot, v) => *slot = v,
            }
            Ok(())
        }
    }
}

fn apply_filtered(
    container: &mut Map<String, Value>,
    path: &PatchPath,
    filter: &Filter,
    op: PatchOp,
    value: Option<Value>,
    options: PatchOptions,
) -> Result<(), ScimError> {
    let attr = &path.attr.attr;
    let sub = path.filter_sub_attr.as_deref();
    let items = match get_ci_mut(container, attr) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None if op == PatchOp::Remove => return Ok(()),
        Some(Value::Null) | None => {
            container.insert(canonical_name(attr), Value::Array(Vec::new()));
            match get_ci_mut(container, attr) {
                Some(Value::Array(items)) => items,
                _ => unreachable!("just inserted"),
            }
        }
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "{attr} is not multi-valued, so it takes no filter"
            )));
        }
    };
    let matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, v)| filter.matches(v))
        .map(|(i, _)| i)
        .collect();
    match op {
        PatchOp::Remove => {
            match sub {
                Some(sub) => {
                    for i in matched {
                        if let Some(obj) = items[i].as_object_mut()
                            && let Some(k) = find_key(obj, sub)
                        {
                            obj.remove(&k);
                        }
                    }
                }
                None => {
                    let mut index = 0;
                    items.retain(|_| {
                        let keep = !matched.contains(&index);
                        index += 1;
                        keep
                    });
                }
            }
            Ok(())
        }
        PatchOp::Add | PatchOp::Replace => {
            let value = value.expect("checked in parse");
            if matched.is_empty() {
                if op == PatchOp::Replace && !options.create_on_unmatched_replace {
                    return Err(ScimError::no_target(format!(
                        "no value of {attr} matches the filter"
                    )));
                }
                let Some(mut element) = element_from_equalities(filter) else {
                    return Err(ScimError::no_target(format!(
                        "no value of {attr} matches the filter, and it is not a list of equalities to create one from"
                    )));
                };
                merge_into(&mut element, sub, value)?;
                items.push(element);
                return Ok(());
            }
            for i in matched {
                merge_into(&mut items[i], sub, value.clone())?;
            }
            Ok(())
        }
    }
}

fn merge_into(element: &mut Value, sub: Option<&str>, value: Value) -> Result<(), ScimError> {
    let Value::Object(obj) = element else {
        return Err(ScimError::invalid_path(
            "the filtered attribute is not complex",
        ));
    };
    match (sub, value) {
        (Some(sub), v) => {
            let key = find_key(obj, sub).unwrap_or_else(|| canonical_name(sub));
            obj.insert(key, v);
        }
        (None, Value::Object(new)) => obj.extend(new),
        (None, _) => {
            return Err(ScimError::invalid_value(
                "a filtered target without a sub-attribute needs an object value",
            ));
        }
    }
    Ok(())
}

/// `type eq "work" and primary eq true` → `{"type": "work", "primary": true}`.
fn element_from_equalities(filter: &Filter) -> Option<Value> {
    fn collect(filter: &Filter, out: &mut Map<String, Value>) -> bool {
        match filter {
            Filter::And(a, b) => collect(a, out) && collect(b, out),
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } if path.sub_attr.is_none() => {
                let v = match value {
                    CompValue::String(s) => Value::String(s.clone()),
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Number(n) => Value::Number(n.clone()),
                    CompValue::Null => return false,
                };
                out.insert(canonical_name(&path.attr), v);
                true
            }
            _ => false,
        }
    }
    let mut map = Map::new();
    collect(filter, &mut map).then_some(Value::Object(map))
}

/// Two multi-valued elements are the same when their `value`s are, or they are equal.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y || x.as_str().zip(y.as_str()).is_some_and(|(x, y)| x == y),
        _ => a == b,
    }
}

/// Leaves at most one `primary: true` in each multi-valued attribute: the last one set wins, so
/// adding a new primary email demotes the old one instead of failing the request.
fn fix_primaries(resource: &mut Value) {
    let Some(map) = resource.as_object_mut() else {
        return;
    };
    for items in map.values_mut().filter_map(Value::as_array_mut) {
        let primaries: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                v.get("primary").is_some_and(|p| {
                    p.as_bool() == Some(true)
                        || p.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
                })
            })
            .map(|(i, _)| i)
            .collect();
        if let Some((_last, earlier)) = primaries.split_last() {
            for &i in earlier {
                items[i]["primary"] = Value::Bool(false);
            }
        }
    }
}

fn find_key(map: &Map<String, Value>, key: &str) -> Option<String> {
    if map.contains_key(key) {
        return Some(key.to_owned());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

fn get_ci_mut<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    let k = find_key(map, key)?;
    map.get_mut(&k)
}

fn entry_ci<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    default: impl FnOnce() -> Value,
) -> &'a mut Value {
    let k = find_key(map, key).unwrap_or_else(|| canonical_name(key));
    map.entry(k).or_insert_with(default)
}
