//! The site manager's tree of folders and sites: built from the bookmarks and the search, drawn,
//! and the "New folder" row.

use std::collections::{BTreeMap, BTreeSet};

use super::form::protocol_label;
use super::form::{format_folder, parse_folder};
use super::{SiteAction, SiteManager, Step};
use crate::bookmarks::{Bookmark, BookmarkId};
use crate::gui::pane::compare_natural;

impl SiteManager {
    pub(super) fn new_folder_ui(&mut self, ui: &mut egui::Ui) {
        let Some(name) = self.new_folder_name.as_mut() else { return };
        let mut create = false;
        let mut cancel = false;
        ui.horizontal(|ui| {
            let label = ui.label("Folder name");
            let field = ui.text_edit_singleline(name).labelled_by(label.id);
            let typed = !parse_folder(name).is_empty();
            create = typed && field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            if !self.current_folder.is_empty() {
                ui.weak(format!("inside {}", format_folder(&self.current_folder)));
            }
            create |= ui.add_enabled(typed, egui::Button::new("Create folder")).clicked();
            cancel = ui.button("Cancel").clicked();
        });
        if cancel {
            self.new_folder_name = None;
        } else if create {
            let mut path = self.current_folder.clone();
            path.extend(parse_folder(name));
            self.empty_folders.insert(path.clone());
            self.current_folder = path;
            self.new_folder_name = None;
        }
    }

    pub(super) fn tree_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            let field = ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(190.0)).labelled_by(label.id);
            crate::gui::a11y::safe_button(&field);
        });
        let query = self.search.trim().to_lowercase();
        let tree = FolderNode::build(&self.bookmarks, &self.empty_folders, &query);
        let selected = self.editor.as_ref().map(|editor| editor.id.clone());
        let mut events = Vec::new();
        egui::ScrollArea::vertical()
            .id_salt("site tree")
            .max_height(super::BODY_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if tree.is_empty() {
                    ui.weak(if query.is_empty() { "No sites yet" } else { "No site matches" });
                }
                let mut path = Vec::new();
                let view =
                    TreeView { bookmarks: &self.bookmarks, selected: selected.as_ref(), expand_all: !query.is_empty() };
                view.folder_ui(ui, &tree, &mut path, &mut events);
            });
        for event in events {
            match event {
                TreeEvent::Select(id) => self.navigate(Step::Select(id), actions),
                TreeEvent::Connect(id) => actions.push(SiteAction::Connect(id)),
                TreeEvent::SelectFolder(path) => self.current_folder = path,
                TreeEvent::Move(id, folder) => self.move_bookmark(&id, folder, actions),
            }
        }
    }
}

/// What the user did in the tree, applied after it is drawn.
pub(super) enum TreeEvent {
    Select(BookmarkId),
    Connect(BookmarkId),
    SelectFolder(Vec<String>),
    Move(BookmarkId, Vec<String>),
}

/// One folder of the tree: its subfolders by name and the indices of its bookmarks.
#[derive(Default)]
pub(super) struct FolderNode {
    pub(super) folders: BTreeMap<String, FolderNode>,
    pub(super) sites: Vec<usize>,
}

impl FolderNode {
    /// The tree of the bookmarks matching `query` (lowercase; empty matches all). Empty folders
    /// show only when nothing is searched for.
    pub(super) fn build(bookmarks: &[Bookmark], empty_folders: &BTreeSet<Vec<String>>, query: &str) -> Self {
        let mut root = FolderNode::default();
        for (index, bookmark) in bookmarks.iter().enumerate() {
            if matches_search(bookmark, query) {
                root.folder_mut(&bookmark.folder).sites.push(index);
            }
        }
        if query.is_empty() {
            for folder in empty_folders {
                root.folder_mut(folder);
            }
        }
        root
    }

    pub(super) fn folder_mut(&mut self, path: &[String]) -> &mut FolderNode {
        path.iter().fold(self, |node, name| node.folders.entry(name.clone()).or_default())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.folders.is_empty() && self.sites.is_empty()
    }
}

/// What drawing the tree needs to know besides the tree itself.
pub(super) struct TreeView<'a> {
    pub(super) bookmarks: &'a [Bookmark],
    pub(super) selected: Option<&'a BookmarkId>,
    /// While searching, every folder with a match is open.
    pub(super) expand_all: bool,
}

impl TreeView<'_> {
    /// Draws a folder's subfolders (first) and sites, each sorted naturally by name.
    pub(super) fn folder_ui(
        &self,
        ui: &mut egui::Ui,
        node: &FolderNode,
        path: &mut Vec<String>,
        events: &mut Vec<TreeEvent>,
    ) {
        let mut folders: Vec<(&String, &FolderNode)> = node.folders.iter().collect();
        folders.sort_by(|(a, _), (b, _)| compare_natural(a, b));
        for (name, child) in folders {
            path.push(name.clone());
            let header = egui::CollapsingHeader::new(name.as_str())
                .id_salt(("site folder", path.clone()))
                .open(self.expand_all.then_some(true))
                .show(ui, |ui| self.folder_ui(ui, child, path, events));
            let response = &header.header_response;
            if response.clicked() {
                events.push(TreeEvent::SelectFolder(path.clone()));
            }
            if response.dnd_hover_payload::<BookmarkId>().is_some() {
                ui.painter().rect_stroke(response.rect, 2.0, ui.visuals().selection.stroke, egui::StrokeKind::Inside);
            }
            if let Some(id) = response.dnd_release_payload::<BookmarkId>() {
                events.push(TreeEvent::Move((*id).clone(), path.clone()));
            }
            path.pop();
        }
        let mut sites: Vec<&Bookmark> = node.sites.iter().filter_map(|&index| self.bookmarks.get(index)).collect();
        sites.sort_by(|a, b| compare_natural(&a.name, &b.name).then_with(|| a.id.cmp(&b.id)));
        for bookmark in sites {
            let is_selected = self.selected == Some(&bookmark.id);
            let button =
                egui::Button::selectable(is_selected, bookmark.name.as_str()).sense(egui::Sense::click_and_drag());
            let response = ui.push_id(&bookmark.id, |ui| ui.add(button)).inner;
            let response = response.on_hover_text(site_summary(bookmark));
            response.dnd_set_drag_payload(bookmark.id.clone());
            if response.double_clicked() {
                events.push(TreeEvent::Connect(bookmark.id.clone()));
            } else if response.clicked() {
                events.push(TreeEvent::Select(bookmark.id.clone()));
            }
            // Dropping onto a site puts the dragged one beside it.
            if let Some(id) = response.dnd_release_payload::<BookmarkId>() {
                events.push(TreeEvent::Move((*id).clone(), bookmark.folder.clone()));
            }
        }
    }
}

/// "user@host:port (SFTP)", the tooltip of a site in the tree.
pub(super) fn site_summary(bookmark: &Bookmark) -> String {
    let user = if bookmark.user.is_empty() { String::new() } else { format!("{}@", bookmark.user) };
    format!("{user}{}:{} ({})", bookmark.host, bookmark.port, protocol_label(bookmark.protocol))
}

pub(super) fn matches_search(bookmark: &Bookmark, query: &str) -> bool {
    query.is_empty()
        || [&bookmark.name, &bookmark.host, &bookmark.user, &bookmark.comment]
            .iter()
            .any(|text| text.to_lowercase().contains(query))
}
