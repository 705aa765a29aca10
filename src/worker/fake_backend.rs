//! A backend for the worker's unit tests: answers from a small in-memory tree, and can be told to
//! lose its connection, so the engine's and the queue's rules run without a server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::backend::{Backend, ProgressFn, Sink, Source, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind};

/// What every fake connection of one test shares: the files, and what the tests inspect.
#[derive(Default)]
pub(super) struct FakeServer {
    /// Remote path to content.
    pub(super) files: Mutex<BTreeMap<String, Vec<u8>>>,
    /// When set, every operation fails as a lost connection.
    pub(super) cut: Mutex<bool>,
    /// When set, every operation panics (a bug in Ferry, as the queue must survive one).
    pub(super) panics: Mutex<bool>,
    /// The paths listed, in order, for tests that check where a request ran.
    pub(super) listed: Mutex<Vec<(u32, String)>>,
}

/// One fake connection; `label` tells connections apart in a test.
pub(super) struct FakeBackend {
    pub(super) server: Arc<FakeServer>,
    pub(super) label: u32,
    /// `/home<label>`, so a test can tell which connection it was handed.
    home: String,
}

impl FakeBackend {
    pub(super) fn boxed(server: &Arc<FakeServer>, label: u32) -> Box<dyn Backend> {
        Box::new(FakeBackend { server: server.clone(), label, home: format!("/home{label}") })
    }

    fn check(&self) -> Result<()> {
        let panics = *super::context::lock(&self.server.panics);
        assert!(!panics, "the fake connection was told to panic");
        if *super::context::lock(&self.server.cut) {
            return Err(FerryError::new(ErrorKind::ConnectionLost, "the fake connection was cut"));
        }
        Ok(())
    }
}

#[async_trait]
impl Backend for FakeBackend {
    fn home(&self) -> &str {
        &self.home
    }

    async fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        self.check()?;
        super::context::lock(&self.server.listed).push((self.label, path.to_string()));
        let files = super::context::lock(&self.server.files);
        let prefix = if path.ends_with('/') { path.to_string() } else { format!("{path}/") };
        Ok(files
            .iter()
            .filter_map(|(name, data)| {
                let rest = name.strip_prefix(&prefix)?;
                let mut entry = Entry::new(rest, EntryKind::File);
                entry.size = Some(data.len() as u64);
                Some(entry)
            })
            .collect())
    }

    async fn stat(&mut self, path: &str) -> Result<Entry> {
        self.check()?;
        let files = super::context::lock(&self.server.files);
        let data = files.get(path).ok_or_else(|| FerryError::new(ErrorKind::NotFound, format!("{path} not found")))?;
        let mut entry = Entry::new(crate::model::file_name_remote(path), EntryKind::File);
        entry.size = Some(data.len() as u64);
        Ok(entry)
    }

    async fn mkdir(&mut self, _path: &str) -> Result<()> {
        self.check()
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        self.check()?;
        let mut files = super::context::lock(&self.server.files);
        let data =
            files.remove(from).ok_or_else(|| FerryError::new(ErrorKind::NotFound, format!("{from} not found")))?;
        files.insert(to.to_string(), data);
        Ok(())
    }

    async fn remove_file(&mut self, path: &str) -> Result<()> {
        self.check()?;
        super::context::lock(&self.server.files).remove(path);
        Ok(())
    }

    async fn remove_dir(&mut self, _path: &str) -> Result<()> {
        self.check()
    }

    async fn chmod(&mut self, _path: &str, _mode: u32) -> Result<()> {
        self.check()
    }

    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64> {
        use tokio::io::AsyncWriteExt;
        self.check()?;
        let data = super::context::lock(&self.server.files).get(path).cloned().unwrap_or_default();
        let rest = data.get(offset as usize..).unwrap_or_default();
        sink.write_all(rest).await.map_err(|e| FerryError::from_io(&e, "writing the fake download"))?;
        progress(offset + rest.len() as u64);
        Ok(rest.len() as u64)
    }

    async fn write_from(
        &mut self,
        path: &str,
        _start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        use tokio::io::AsyncReadExt;
        self.check()?;
        let mut data = Vec::new();
        source.read_to_end(&mut data).await.map_err(|e| FerryError::from_io(&e, "reading the fake upload"))?;
        let written = data.len() as u64;
        super::context::lock(&self.server.files).insert(path.to_string(), data);
        progress(written);
        Ok(written)
    }

    async fn set_modified(&mut self, _path: &str, _time: DateTime<Utc>) -> Result<()> {
        self.check()
    }

    async fn keep_alive(&mut self) -> Result<()> {
        self.check()
    }

    async fn disconnect(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A worker context on the config folder `config`, with the receiving end of its events.
pub(super) fn test_context(
    config: &std::path::Path,
) -> (Arc<super::context::WorkerContext>, std::sync::mpsc::Receiver<super::Event>) {
    let (sender, events) = std::sync::mpsc::channel();
    let config = crate::config::ConfigDir::at(config);
    let trust = crate::trust::TrustStore::new(config.clone(), None);
    let sender = super::context::EventSender::new(sender, Arc::new(|_| {}));
    let settings = crate::backend::ConnectSettings::default();
    (Arc::new(super::context::WorkerContext::new(sender, trust, settings, config)), events)
}

/// The next event that `wanted` picks, skipping log lines and the like.
pub(super) fn next_event<T>(
    events: &std::sync::mpsc::Receiver<super::Event>,
    wanted: impl Fn(super::Event) -> Option<T>,
) -> T {
    loop {
        let event = events.recv_timeout(std::time::Duration::from_secs(5)).expect("an event within 5 s");
        if let Some(found) = wanted(event) {
            return found;
        }
    }
}
