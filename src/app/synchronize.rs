//! "Synchronize...": opens the preview dialog for the local folder and the active tab's folder,
//! asks the worker for each preview it needs, and starts the run the user approved; the run's
//! copies show in the queue, and its end in the status line (and any failed delete as an error).

use super::tabs::TabId;
use super::{FerryApp, Modal, Pending, Target};
use crate::error::{ErrorKind, FerryError};
use crate::gui::dialogs::SyncDialog;
use crate::model::RequestId;
use crate::worker::{Command, SyncCommand, SyncJob, SyncPreview, SyncReport};

impl FerryApp {
    /// Opens the preview dialog for the two folders shown, and asks for the first preview.
    pub(super) fn open_synchronize(&mut self) {
        if let Some(why) = super::compare_folders::compare_unavailable(self) {
            self.status = why.into();
            return;
        }
        let Some(tab) = self.active_tab() else { return };
        let dialog = SyncDialog::new(self.local.path().to_string(), tab.pane.path().to_string());
        let (tab, job) = (tab.id, dialog.job());
        self.dialogs.open(Modal::Sync { tab, dialog });
        self.preview_sync(tab, job);
    }

    /// Asks for the preview of `job` on `tab`'s connection; the open dialog waits for it.
    pub(super) fn preview_sync(&mut self, tab: TabId, job: SyncJob) {
        let Some(session) = self.tabs.get(tab).and_then(|tab| tab.session) else {
            if let Some(dialog) = self.dialogs.sync_dialog_mut() {
                let error =
                    FerryError::new(ErrorKind::ConnectionLost, "this site is not connected; connect again first");
                dialog.failed(&error);
            }
            return;
        };
        let request = self
            .requests
            .request(Pending::SyncPreview, |request| Command::Sync(SyncCommand::Preview { request, session, job }));
        if let Some(dialog) = self.dialogs.sync_dialog_mut() {
            dialog.waiting_for(request);
        }
    }

    /// Runs the approved job on `tab`'s connection.
    pub(super) fn start_sync(&mut self, tab: TabId, job: SyncJob) {
        let Some(session) = self.tabs.get(tab).and_then(|tab| tab.session) else {
            self.status = "This site is not connected".into();
            return;
        };
        self.requests
            .request(Pending::SyncRun { tab }, |request| Command::Sync(SyncCommand::Run { request, session, job }));
        self.layout.show_queue();
        self.status = "Synchronizing...".into();
    }

    /// A plan arrived: the dialog's preview, if it still waits for it (a run's own plan is not
    /// shown again).
    pub(super) fn sync_planned(&mut self, request: RequestId, preview: Box<SyncPreview>) {
        if !matches!(self.requests.peek(&request), Some(Pending::SyncPreview)) {
            return;
        }
        self.requests.take(&request);
        if let Some(dialog) = self.dialogs.sync_dialog_mut().filter(|dialog| dialog.awaits(request)) {
            dialog.planned(preview);
        }
    }

    /// A preview that failed is said in its dialog, not in one more dialog over it.
    pub(super) fn sync_preview_failed(&mut self, request: RequestId, error: &FerryError) {
        if let Some(dialog) = self.dialogs.sync_dialog_mut().filter(|dialog| dialog.awaits(request)) {
            dialog.failed(error);
        }
    }

    /// A run ended: say how, and list both folders again.
    pub(super) fn sync_finished(&mut self, request: RequestId, report: SyncReport) {
        let Some(Pending::SyncRun { tab }) = self.requests.take(&request) else { return };
        let mut said = format!("Synchronized: {} copied, {} deleted", report.copied, report.deleted);
        if report.failed > 0 {
            said.push_str(&format!(", {} failed", report.failed));
        }
        if report.deletes_held_back > 0 {
            said.push_str(&format!("; {} deletes held back until every copy arrives", report.deletes_held_back));
        }
        self.refresh(Target::Local);
        self.refresh(Target::Tab(tab));
        let mut failures = report.delete_failures.into_iter();
        if let Some(first) = failures.next() {
            let more = failures.count();
            let error = if more == 0 {
                first
            } else {
                let context = format!("{} (and {more} more failed deletes)", first.context);
                first.context(context)
            };
            self.show_error(error, None);
        }
        self.status = said;
    }
}
