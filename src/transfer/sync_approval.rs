//! Which steps of a previewed sync the user approved, and a plan cut down to exactly those: a sync
//! started from a preview copies and deletes only what was shown and ticked. The folders may have
//! changed since the preview; a step planned now that was not approved as that very step (same
//! path, same action, file or folder) is left alone, so a file that appeared since is never
//! deleted and a new file that turned into a changed one is never overwritten unseen.

use std::collections::BTreeSet;

use super::sync_plan::{Action, Step, SyncPlan};

/// The steps the user ticked in a preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approved {
    steps: BTreeSet<(String, Action, bool)>,
}

impl Approved {
    /// Approves `steps` (only copies and deletes mean anything; the rest change nothing anyway).
    pub fn new<'a>(steps: impl IntoIterator<Item = &'a Step>) -> Self {
        let steps = steps
            .into_iter()
            .filter(|step| is_action(step.action))
            .map(|step| (step.path.clone(), step.action, step.is_folder))
            .collect();
        Approved { steps }
    }

    /// Whether `step` is one the user approved, as it was shown.
    pub fn allows(&self, step: &Step) -> bool {
        self.steps.contains(&(step.path.clone(), step.action, step.is_folder))
    }

    /// How many steps were approved.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Whether a step of this kind does something (a copy, a folder made, a delete).
pub fn is_action(action: Action) -> bool {
    matches!(action, Action::New | Action::Changed | Action::Delete)
}

/// `plan` with only the approved copies and deletes. A new folder that was not ticked is still
/// made when a ticked copy goes into it: the copy could not arrive otherwise. A folder ticked for
/// deleting is kept when something in it was unticked: what the user kept keeps its folder.
pub fn restrict(plan: &SyncPlan, approved: &Approved) -> SyncPlan {
    let kept_copies: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| matches!(step.action, Action::New | Action::Changed) && approved.allows(step))
        .map(|step| step.path.as_str())
        .collect();
    let kept_from_deleting: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| step.action == Action::Delete && !approved.allows(step))
        .map(|step| step.path.as_str())
        .collect();
    let inside = |paths: &[&str], folder: &str| {
        paths.iter().any(|path| path.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/')))
    };
    let steps = plan
        .steps
        .iter()
        .filter(|step| match step.action {
            Action::Delete if approved.allows(step) => !(step.is_folder && inside(&kept_from_deleting, &step.path)),
            Action::New | Action::Changed if approved.allows(step) => true,
            Action::New => step.is_folder && inside(&kept_copies, &step.path),
            Action::Changed | Action::Delete => false,
            // They change nothing; kept so the plan still accounts for every path.
            Action::Unchanged | Action::Extra | Action::Conflict => true,
        })
        .cloned()
        .collect();
    SyncPlan { steps }
}

/// The files and bytes the ticked steps copy and delete: `(copies, bytes to copy, deletes, bytes
/// to delete)`. Folders count as steps but add no bytes.
pub fn ticked_totals<'a>(steps: impl IntoIterator<Item = &'a Step>) -> (usize, u64, usize, u64) {
    let mut totals = (0, 0, 0, 0);
    for step in steps {
        let bytes = if step.is_folder { 0 } else { step.size.unwrap_or(0) };
        match step.action {
            Action::New | Action::Changed => {
                totals.0 += 1;
                totals.1 += bytes;
            }
            Action::Delete => {
                totals.2 += 1;
                totals.3 += bytes;
            }
            Action::Unchanged | Action::Extra | Action::Conflict => {}
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(path: &str, action: Action, is_folder: bool) -> Step {
        Step { path: path.into(), action, is_folder, size: (!is_folder).then_some(10), why: None }
    }

    fn paths(plan: &SyncPlan) -> Vec<&str> {
        plan.steps.iter().filter(|s| is_action(s.action)).map(|s| s.path.as_str()).collect()
    }

    #[test]
    fn only_what_was_shown_and_ticked_runs_and_a_path_that_changed_kind_of_step_is_left_alone() {
        let shown = [
            step("a.txt", Action::New, false),
            step("b.txt", Action::New, false),
            step("old.txt", Action::Delete, false),
        ];
        let approved = Approved::new([&shown[0], &shown[2]]);
        let now = SyncPlan {
            steps: vec![
                step("a.txt", Action::New, false),
                step("b.txt", Action::New, false),
                step("appeared.txt", Action::Delete, false),
                step("old.txt", Action::Delete, false),
            ],
        };
        assert_eq!(paths(&restrict(&now, &approved)), vec!["a.txt", "old.txt"]);

        // A new file that is a changed one by now, a deleted file that is a folder by now.
        let now =
            SyncPlan { steps: vec![step("a.txt", Action::Changed, false), step("old.txt", Action::Delete, true)] };
        assert!(paths(&restrict(&now, &approved)).is_empty());
    }

    #[test]
    fn a_new_folder_is_made_for_a_ticked_copy_inside_it_and_not_otherwise() {
        let plan = SyncPlan {
            steps: vec![
                step("dir", Action::New, true),
                step("dir/in.txt", Action::New, false),
                step("empty", Action::New, true),
                step("dirty", Action::New, false),
            ],
        };
        let approved = Approved::new([&plan.steps[1]]);
        assert_eq!(paths(&restrict(&plan, &approved)), vec!["dir", "dir/in.txt"], "\"dirty\" is not in \"dir\"");
        assert_eq!(ticked_totals(&plan.steps), (4, 20, 0, 0));
    }

    #[test]
    fn a_folder_ticked_for_deleting_stays_when_something_in_it_was_unticked() {
        let plan = SyncPlan {
            steps: vec![
                step("old/keep.txt", Action::Delete, false),
                step("old/drop.txt", Action::Delete, false),
                step("old", Action::Delete, true),
                step("gone/a.txt", Action::Delete, false),
                step("gone", Action::Delete, true),
            ],
        };
        let approved = Approved::new(plan.steps.iter().filter(|s| s.path != "old/keep.txt"));
        assert_eq!(paths(&restrict(&plan, &approved)), vec!["old/drop.txt", "gone/a.txt", "gone"]);
    }
}
