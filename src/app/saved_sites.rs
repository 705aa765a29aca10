//! The window's copy of the saved sites: the bookmarks the worker last sent, the connect bar's
//! suggestions made from them and the recent connections, and the site manager that edits them.

use crate::bookmarks::{Bookmark, BookmarkId};
use crate::gui::connect_bar::{Suggestion, SuggestionTarget};
use crate::gui::site_manager::SiteManager;

/// How many recent connections the connect bar offers.
const RECENT_SUGGESTIONS: usize = 10;

/// The saved sites as the window knows them.
pub(super) struct SavedSites {
    bookmarks: Vec<Bookmark>,
    suggestions: Vec<Suggestion>,
    /// The site manager window (open or closed).
    pub(super) manager: SiteManager,
    /// Bookmark lists the worker still owes: one for the first load, one per save or removal.
    lists_awaited: usize,
    /// A site whose Connect came with its save: it waits for the saved list, so the worker never
    /// looks for a site it has not written yet, and the tab gets the site's name.
    connect_after_save: Option<BookmarkId>,
}

impl SavedSites {
    /// None yet: the worker sends the list once it has read the bookmark file.
    pub(super) fn new() -> Self {
        SavedSites {
            bookmarks: Vec::new(),
            suggestions: Vec::new(),
            manager: SiteManager::new(),
            lists_awaited: 1,
            connect_after_save: None,
        }
    }

    /// Takes in the worker's bookmark list and recent connections (newest first).
    pub(super) fn set(&mut self, bookmarks: Vec<Bookmark>, recent: Vec<String>, keychain_available: bool) {
        let mut suggestions: Vec<Suggestion> = bookmarks
            .iter()
            .map(|bookmark| Suggestion {
                label: format!(
                    "{} ({}://{}@{})",
                    bookmark.name,
                    bookmark.protocol.scheme(),
                    bookmark.user,
                    bookmark.host
                ),
                target: SuggestionTarget::Bookmark(bookmark.id.clone()),
            })
            .collect();
        suggestions.extend(
            recent
                .into_iter()
                .take(RECENT_SUGGESTIONS)
                .map(|url| Suggestion { label: url.clone(), target: SuggestionTarget::Url(url) }),
        );
        self.suggestions = suggestions;
        self.lists_awaited = self.lists_awaited.saturating_sub(1);
        self.manager.set_bookmarks(bookmarks.clone(), keychain_available);
        self.bookmarks = bookmarks;
    }

    /// Notes a save or removal sent to the worker, which answers with a new list.
    pub(super) fn change_sent(&mut self) {
        self.lists_awaited += 1;
    }

    /// Holds a Connect back while a change is on its way to the bookmark file; `false` when it can
    /// go now.
    pub(super) fn hold_connect(&mut self, id: &BookmarkId) -> bool {
        if self.lists_awaited == 0 {
            return false;
        }
        self.connect_after_save = Some(id.clone());
        true
    }

    /// The held Connect, once every change is in the list and the site is in it (a save that
    /// failed has shown its reason instead).
    pub(super) fn connect_now_saved(&mut self) -> Option<BookmarkId> {
        if self.lists_awaited > 0 {
            return None;
        }
        self.connect_after_save.take().filter(|id| self.find(id).is_some())
    }

    /// What the connect bar offers while the user types a host.
    pub(super) fn suggestions(&self) -> &[Suggestion] {
        &self.suggestions
    }

    /// The bookmark with this id, if the last list had it.
    pub(super) fn find(&self, id: &BookmarkId) -> Option<&Bookmark> {
        self.bookmarks.iter().find(|bookmark| &bookmark.id == id)
    }
}
