//! SPEC §10's JSON interface (public: keep it stable), as `pictor-vip
//! dispatch` and `POST /api/dispatch` read and print it.
//!
//! Parsing is strict: an unknown field is refused naming it, a value of the
//! wrong type or out of range names the item and the field (`jobs[3] (id
//! "j4").min_vram_gb: invalid value: integer `-1`, expected u32`), a wallet
//! twice in a standings map is refused. Nothing is half-read.
use crate::classes::{ClassMin, GpuClasses};
use crate::error::DispatchError;
use crate::types::*;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A request: one round's input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Rounds after which a job of lane 2 or 3 is aged (default 10).
    #[serde(default)]
    pub max_wait_rounds: Option<u32>,
    /// The GPU class table (class i = entry i); default: the configuration's tier table.
    #[serde(default)]
    pub gpu_classes: Option<Vec<ClassJson>>,
    /// Both roles' standings; default: the cluster's latest finalised rounds.
    #[serde(default)]
    pub standings: Option<StandingsJson>,
    /// The waiting jobs.
    pub jobs: Vec<JobJson>,
    /// The workers.
    pub workers: Vec<Worker>,
}

/// One GPU class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassJson {
    /// Minimum VRAM, GB.
    pub min_vram_gb: u32,
    /// Minimum hashpower.
    pub min_hashpower: u64,
}

/// Both roles' standings: wallet → standing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandingsJson {
    /// Creators.
    #[serde(default)]
    pub creator: MemberMap,
    /// Workers.
    #[serde(default)]
    pub worker: MemberMap,
}

/// A standings map, in the order written (a wallet twice is refused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberMap(pub Vec<(String, StandingJson)>);

/// One standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandingJson {
    /// Rank, from 1.
    pub rank: u32,
    /// Flagged priority.
    pub priority: bool,
}

impl<'de> Deserialize<'de> for MemberMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MemberMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of wallet → {\"rank\", \"priority\"}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MemberMap, A::Error> {
                let mut out: Vec<(String, StandingJson)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some(wallet) = map.next_key::<String>()? {
                    if !seen.insert(wallet.clone()) {
                        return Err(serde::de::Error::custom(format!("wallet {wallet:?} appears twice")));
                    }
                    let standing: StandingJson = map.next_value()?;
                    out.push((wallet, standing));
                }
                Ok(MemberMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobJson {
    /// Id, unique.
    pub id: String,
    /// The creator's wallet.
    pub creator: String,
    /// Arrival, unix seconds.
    pub arrival: i64,
    /// Rounds waited so far.
    pub waited_rounds: u32,
    /// Allowed GPU models, or null for any.
    #[serde(default)]
    pub gpu_models: Option<Vec<String>>,
    /// Minimum VRAM, GB.
    pub min_vram_gb: u32,
    /// Allowed regions, or null for any.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// Preferred region, or null.
    #[serde(default)]
    pub preferred_region: Option<String>,
}

/// Parses a request, naming the item and field at fault.
pub fn parse_request(text: &str) -> Result<Request, DispatchError> {
    require_objects(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let request: Request = match serde_path_to_error::deserialize(&mut de) {
        Ok(r) => r,
        Err(e) => {
            let path = e.path().to_string();
            let detail = e.into_inner().to_string();
            let detail = detail.split(" at line ").next().unwrap_or(&detail).to_string();
            return Err(DispatchError::Malformed(if path == "." || path == "?" {
                format!("not a dispatch request: {detail}")
            } else {
                format!("{}: {detail}", name_item(text, &path))
            }));
        }
    };
    de.end().map_err(|e| DispatchError::Malformed(format!("text after the request: {e}")))?;
    for (role, map) in request.standings.iter().flat_map(|s| [("creator", &s.creator), ("worker", &s.worker)]) {
        for (wallet, s) in &map.0 {
            if s.rank == 0 {
                return Err(DispatchError::OutOfRange {
                    item: format!("standings.{role} of {wallet:?}"),
                    field: "rank",
                    detail: "must be at least 1".into(),
                });
            }
        }
    }
    Ok(request)
}

/// SPEC §10 reads JSON objects: the request, each job, worker, class and
/// standing. Serde would also take a struct written as an array of its
/// fields in order; refuse that, naming the item.
fn require_objects(text: &str) -> Result<(), DispatchError> {
    use serde_json::Value;
    // Not JSON at all: the typed parse says where.
    let Ok(value) = serde_json::from_str::<Value>(text) else { return Ok(()) };
    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "JSON array",
            Value::Object(_) => "object",
        }
    }
    let Some(request) = value.as_object() else {
        return Err(DispatchError::Malformed(format!(
            "not a dispatch request: must be a JSON object, not a {}",
            kind(&value)
        )));
    };
    for list in ["jobs", "workers", "gpu_classes"] {
        for (i, item) in request.get(list).and_then(Value::as_array).into_iter().flatten().enumerate() {
            if !item.is_object() {
                return Err(DispatchError::Malformed(format!(
                    "{list}[{i}]: must be a JSON object (its fields by name), not a {}",
                    kind(item)
                )));
            }
        }
    }
    if let Some(standings) = request.get("standings").filter(|s| !s.is_null()) {
        let Some(roles) = standings.as_object() else {
            return Err(DispatchError::Malformed(format!(
                "standings: must be a JSON object, not a {}",
                kind(standings)
            )));
        };
        for (role, members) in roles {
            for (wallet, standing) in members.as_object().into_iter().flatten() {
                if !standing.is_object() {
                    return Err(DispatchError::Malformed(format!(
                        "standings.{role} of {wallet:?}: must be a JSON object (its fields by name), not a {}",
                        kind(standing)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `path` with the id of the job or wallet of the worker it points into:
/// `jobs[3].min_vram_gb` → `jobs[3] (id "j4").min_vram_gb`.
fn name_item(text: &str, path: &str) -> String {
    let Some((list, rest)) = path.split_once('[') else { return path.to_string() };
    let Some((n, tail)) = rest.split_once(']') else { return path.to_string() };
    let field = match list {
        "jobs" => "id",
        "workers" => "wallet",
        _ => return path.to_string(),
    };
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let name = n
        .parse::<usize>()
        .ok()
        .and_then(|i| value.as_ref()?.get(list)?.get(i)?.get(field)?.as_str().map(str::to_string));
    match name {
        Some(name) => format!("{list}[{n}] ({field} {name:?}){tail}"),
        None => path.to_string(),
    }
}

impl Request {
    /// The jobs.
    pub fn jobs(&self) -> Vec<Job> {
        self.jobs
            .iter()
            .map(|j| Job {
                id: j.id.clone(),
                creator: j.creator.clone(),
                arrival: j.arrival,
                waited_rounds: j.waited_rounds,
                needs: JobNeeds {
                    gpu_models: j.gpu_models.clone(),
                    min_vram_gb: j.min_vram_gb,
                    regions: j.regions.clone(),
                    preferred_region: j.preferred_region.clone(),
                },
            })
            .collect()
    }

    /// The standings given, if any.
    pub fn standings(&self) -> Option<Standings> {
        let role = |m: &MemberMap| RoleStandings {
            round: None,
            members: m.0.iter().map(|(w, s)| (w.clone(), Standing { rank: s.rank, priority: s.priority })).collect(),
        };
        self.standings.as_ref().map(|s| Standings { creator: role(&s.creator), worker: role(&s.worker) })
    }

    /// The class table given, if any (validated).
    pub fn classes(&self) -> Option<Result<GpuClasses, DispatchError>> {
        self.gpu_classes.as_ref().map(|c| {
            GpuClasses::new(
                c.iter().map(|c| ClassMin { min_vram_gb: c.min_vram_gb, min_hashpower: c.min_hashpower }).collect(),
            )
        })
    }

    /// The options (SPEC §10's default `max_wait_rounds` when not given).
    pub fn options(&self) -> Options {
        Options { max_wait_rounds: self.max_wait_rounds.unwrap_or(DEFAULT_MAX_WAIT_ROUNDS) }
    }

    /// Runs the round with the standings and classes given, or those of
    /// `standings` and `classes` when the request leaves them out.
    pub fn run(
        &self,
        standings: impl FnOnce() -> Standings,
        classes: impl FnOnce() -> GpuClasses,
    ) -> Result<Outcome, DispatchError> {
        let classes = match self.classes() {
            Some(c) => c?,
            None => classes(),
        };
        let standings = self.standings().unwrap_or_else(standings);
        crate::dispatch(&self.jobs(), &self.workers, &standings, &classes, &self.options())
    }
}

/// The answer, in service order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Jobs given to workers.
    pub assignments: Vec<AssignmentJson>,
    /// Jobs left waiting.
    pub waiting: Vec<WaitingJson>,
}

/// One assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentJson {
    /// Job id.
    pub job: String,
    /// Worker wallet.
    pub worker: String,
    /// 1, 2 or 3.
    pub lane: u8,
    /// Served as aged.
    pub aged: bool,
    /// The worker's GPU class.
    pub class: usize,
    /// Placed jobs its chain moved (0: placed directly).
    pub moved: u32,
}

/// One waiting job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingJson {
    /// Job id.
    pub job: String,
    /// 1, 2 or 3.
    pub lane: u8,
    /// Aged.
    pub aged: bool,
    /// `no_worker_can_run` or `all_feasible_workers_full`.
    pub reason: String,
}

impl From<&Outcome> for Response {
    fn from(o: &Outcome) -> Self {
        Response {
            assignments: o
                .assignments
                .iter()
                .map(|a| AssignmentJson {
                    job: a.job.clone(),
                    worker: a.worker.clone(),
                    lane: a.lane.number(),
                    aged: a.aged,
                    class: a.class,
                    moved: a.moved,
                })
                .collect(),
            waiting: o
                .waiting
                .iter()
                .map(|w| WaitingJson {
                    job: w.job.clone(),
                    lane: w.lane.number(),
                    aged: w.aged,
                    reason: w.reason.as_str().into(),
                })
                .collect(),
        }
    }
}

/// Wallet → standing maps of the interface, from engine standings (the
/// cluster's, for a request that left them out).
pub fn standings_json(s: &Standings) -> HashMap<&'static str, HashMap<String, StandingJson>> {
    let role = |r: &RoleStandings| {
        r.members.iter().map(|(w, s)| (w.clone(), StandingJson { rank: s.rank, priority: s.priority })).collect()
    };
    HashMap::from([("creator", role(&s.creator)), ("worker", role(&s.worker))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_item_and_the_field() {
        let text = r#"{"jobs":[{"id":"a","creator":"c","arrival":1,"waited_rounds":0,"min_vram_gb":0},
            {"id":"j4","creator":"c","arrival":1,"waited_rounds":0,"min_vram_gb":-1}],"workers":[]}"#;
        let e = parse_request(text).unwrap_err().to_string();
        assert!(e.starts_with(r#"jobs[1] (id "j4").min_vram_gb: invalid value: integer `-1`"#), "{e}");
        let text = r#"{"jobs":[],"workers":[{"wallet":"W","gpu_model":"A","vram_gb":8,"hashpower":1,"region":"eu","free_slots":1,"idle_since":0,"colour":"red"}]}"#;
        let e = parse_request(text).unwrap_err().to_string();
        assert!(e.starts_with(r#"workers[0] (wallet "W").colour: unknown field `colour`"#), "{e}");
        let e = parse_request(r#"{"jobs":[],"workers":[],"extra":1}"#).unwrap_err().to_string();
        assert!(e.contains("unknown field `extra`"), "{e}");
        let e = parse_request(r#"{"jobs":[],"workers":[],"standings":{"creator":{"A":{"rank":1,"priority":true},"A":{"rank":2,"priority":false}}}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains(r#"wallet "A" appears twice"#), "{e}");
        let e = parse_request(r#"{"jobs":[],"workers":[],"standings":{"worker":{"B":{"rank":0,"priority":true}}}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("rank") && e.contains("at least 1"), "{e}");
        assert!(parse_request("[]").unwrap_err().to_string().starts_with("not a dispatch request"));
        assert!(parse_request(r#"{"jobs":[],"workers":[]} x"#).is_err(), "trailing text");
    }

    #[test]
    fn the_optional_parts_default_as_the_spec_says() {
        let r = parse_request(r#"{"jobs":[],"workers":[]}"#).unwrap();
        assert_eq!(r.options().max_wait_rounds, 10);
        assert!(r.standings().is_none() && r.classes().is_none());
        let r = parse_request(r#"{"max_wait_rounds":0,"gpu_classes":[{"min_vram_gb":0,"min_hashpower":0}],"jobs":[],"workers":[],"standings":{}}"#).unwrap();
        assert_eq!(r.options().max_wait_rounds, 0);
        assert_eq!(r.standings(), Some(Standings::default()));
        assert_eq!(r.classes().unwrap().unwrap().len(), 1);
    }

    #[test]
    fn positional_arrays_are_refused_naming_the_item() {
        let job = r#"["j1","c",1,0,null,0,null,null]"#;
        let e = parse_request(&format!(r#"{{"jobs":[{job}],"workers":[]}}"#)).unwrap_err().to_string();
        assert_eq!(e, "jobs[0]: must be a JSON object (its fields by name), not a JSON array");
        let e = parse_request(r#"{"jobs":[],"workers":[["W","A",8,1,"eu",1,0]]}"#).unwrap_err().to_string();
        assert!(e.starts_with("workers[0]: must be a JSON object"), "{e}");
        let e = parse_request(r#"{"jobs":[],"workers":[],"gpu_classes":[[0,0]]}"#).unwrap_err().to_string();
        assert!(e.starts_with("gpu_classes[0]: must be a JSON object"), "{e}");
        let e = parse_request(r#"{"jobs":[],"workers":[],"standings":{"creator":{"A":[1,true]}}}"#).unwrap_err();
        assert!(e.to_string().starts_with(r#"standings.creator of "A": must be a JSON object"#), "{e}");
        let e = parse_request(r#"[[],[]]"#).unwrap_err().to_string();
        assert_eq!(e, "not a dispatch request: must be a JSON object, not a JSON array");
    }

    #[test]
    fn a_class_table_longer_than_the_configurations_cap_is_refused_naming_the_field() {
        let classes: Vec<String> =
            (0..9).map(|i| format!(r#"{{"min_vram_gb":{},"min_hashpower":0}}"#, i * 8)).collect();
        let text = format!(r#"{{"gpu_classes":[{}],"jobs":[],"workers":[]}}"#, classes.join(","));
        let r = parse_request(&text).unwrap();
        let e = r.run(Standings::default, GpuClasses::spec_default).unwrap_err().to_string();
        assert_eq!(e, "gpu_classes: 9 classes: at most 8 (the configuration's cap on GPU tiers)");
    }
}
