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
}

impl SavedSites {
    /// None yet: the worker sends the list once it has read the bookmark file.
    pub(super) fn new() -> Self {
        SavedSites { bookmarks: Vec::new(), suggestions: Vec::new(), manager: SiteManager::new() }
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
        self.manager.set_bookmarks(bookmarks.clone(), keychain_available);
        self.bookmarks = bookmarks;
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
