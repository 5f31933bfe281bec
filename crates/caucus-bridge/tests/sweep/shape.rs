//! The shape of a command's input, read from the types the command list declares (specta,
//! with serde's attributes applied by `specta_serde`, as the TypeScript client is made), so
//! the sweep follows every field a command gains without being told.

use specta::datatype::{DataType, Fields, NamedReferenceType, Primitive, Reference};
use specta::Format;

/// What a JSON value of the input may be.
#[derive(Debug, Clone)]
pub enum Shape {
    Text,
    Uuid,
    Int { min: i128, max: i128 },
    Float,
    Bool,
    Enum(Vec<String>),
    List(Box<Shape>),
    Map(Box<Shape>),
    Object(Vec<Field>),
    Nullable(Box<Shape>),
}

/// A named field of an object.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// It may be left out (`#[serde(default)]`, or an `Option` serde fills with `None`).
    pub optional: bool,
    pub shape: Shape,
}

impl Shape {
    /// The shape without its `null`.
    pub fn bare(&self) -> &Shape {
        match self {
            Shape::Nullable(inner) => inner.bare(),
            other => other,
        }
    }
}

/// Every command of the list, with the shape of its input, in declaration order.
pub fn commands() -> Vec<(&'static str, Shape)> {
    use caucus_core::api::*;
    use caucus_core::model::*;
    let mut types = specta::Types::default();
    let mut roots = Vec::new();
    macro_rules! collect {
        ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
            $( roots.push((stringify!($name), <$input as specta::Type>::definition(&mut types))); )*
        };
    }
    caucus_core::for_each_command!(collect);
    let types = specta_serde::Format
        .map_types(&types)
        .expect("the command list's types follow serde")
        .into_owned();
    roots
        .into_iter()
        .map(|(name, dt)| {
            let dt = specta_serde::Format
                .map_type(&types, &dt)
                .expect("a command's input follows serde")
                .into_owned();
            (name, shape(&types, &dt, 0))
        })
        .collect()
}

fn shape(types: &specta::Types, dt: &DataType, depth: usize) -> Shape {
    assert!(
        depth < 16,
        "an input type nests too deep for the sweep: {dt:?}"
    );
    let deeper = |dt: &DataType| shape(types, dt, depth + 1);
    match dt {
        DataType::Primitive(p) => primitive(p),
        DataType::Nullable(inner) => Shape::Nullable(Box::new(deeper(inner))),
        DataType::List(list) => Shape::List(Box::new(deeper(&list.ty))),
        DataType::Map(map) => Shape::Map(Box::new(deeper(map.value_ty()))),
        // serde's unit variants are strings; specta_serde wraps each in a one-variant enum.
        DataType::Enum(e) => Shape::Enum(
            e.variants
                .iter()
                .filter(|(_, v)| !v.skip)
                .map(|(name, _)| name.to_string())
                .collect(),
        ),
        DataType::Struct(s) => match &s.fields {
            Fields::Named(named) => Shape::Object(
                named
                    .fields
                    .iter()
                    .filter_map(|(name, f)| {
                        let ty = f.ty.as_ref()?;
                        let shape = deeper(ty);
                        Some(Field {
                            name: name.to_string(),
                            optional: f.optional || matches!(shape, Shape::Nullable(_)),
                            shape,
                        })
                    })
                    .collect(),
            ),
            Fields::Unit => Shape::Object(Vec::new()),
            Fields::Unnamed(_) => panic!("the sweep does not know tuple inputs: {dt:?}"),
        },
        DataType::Reference(Reference::Named(r)) => {
            let named = types.get(r);
            match &r.inner {
                NamedReferenceType::Inline { dt, .. } => {
                    if named.is_some_and(|n| n.name == "Uuid") {
                        Shape::Uuid
                    } else {
                        deeper(dt)
                    }
                }
                _ => deeper(
                    named
                        .and_then(|n| n.ty.as_ref())
                        .unwrap_or_else(|| panic!("an unresolved type in an input: {r:?}")),
                ),
            }
        }
        other => panic!("the sweep does not know this input type: {other:?}"),
    }
}

fn primitive(p: &Primitive) -> Shape {
    use Primitive as P;
    let int = |min: i128, max: i128| Shape::Int { min, max };
    match p {
        P::i8 => int(i8::MIN.into(), i8::MAX.into()),
        P::i16 => int(i16::MIN.into(), i16::MAX.into()),
        P::i32 => int(i32::MIN.into(), i32::MAX.into()),
        P::i64 | P::isize => int(i64::MIN.into(), i64::MAX.into()),
        P::u8 => int(0, u8::MAX.into()),
        P::u16 => int(0, u16::MAX.into()),
        P::u32 => int(0, u32::MAX.into()),
        P::u64 | P::usize => int(0, u64::MAX.into()),
        P::f32 | P::f64 => Shape::Float,
        P::bool => Shape::Bool,
        P::str | P::char => Shape::Text,
        other => panic!("the sweep does not know the primitive {other:?}"),
    }
}
