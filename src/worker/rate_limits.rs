//! The bandwidth limits service: owns the global buckets (down and up apart, changeable while
//! transfers run) and one pair per site that has limits of its own, and hands each transfer the
//! buckets its bytes must pass. The rules are in `transfer/rate_limit.rs`.

use std::collections::HashMap;
use std::sync::Mutex;

use super::context::lock;
use super::queue::{Direction, QueueItem};
use crate::model::ConnectSpec;
use crate::transfer::rate_limit::{Limiters, RateLimiter, RateLimits};

/// One bucket for each direction.
#[derive(Clone, Default)]
struct Pair {
    down: RateLimiter,
    up: RateLimiter,
}

impl Pair {
    fn set(&self, limits: RateLimits) {
        self.down.set_rate(limits.down);
        self.up.set_rate(limits.up);
    }

    fn toward(&self, direction: Direction) -> &RateLimiter {
        match direction {
            Direction::Download => &self.down,
            Direction::Upload => &self.up,
        }
    }
}

/// The buckets of every limit in force.
pub(super) struct RateLimitService {
    global: Pair,
    /// By site (its URL without a password): every transfer to a site shares its limit.
    sites: Mutex<HashMap<String, Pair>>,
}

impl RateLimitService {
    pub(super) fn new(global: RateLimits) -> Self {
        let service = RateLimitService { global: Pair::default(), sites: Mutex::new(HashMap::new()) };
        service.global.set(global);
        service
    }

    /// Changes the global limits; transfers already running follow at once.
    pub(super) fn set_global(&self, limits: RateLimits) {
        self.global.set(limits);
    }

    /// The buckets `item`'s bytes pass: the global one, and its site's when the site has a limit
    /// in that direction (the stricter of the two then holds).
    pub(super) fn for_item(&self, item: &QueueItem) -> Limiters {
        let mut limiters = vec![self.global.toward(item.direction).clone()];
        if let Some(site) = self.for_site(&item.site) {
            limiters.push(site.toward(item.direction).clone());
        }
        Limiters::new(limiters)
    }

    /// The site's pair of buckets, set to the site's limits as `site` gives them now; `None` for
    /// a site without limits of its own.
    fn for_site(&self, site: &ConnectSpec) -> Option<Pair> {
        let limits = RateLimits { down: site.limit_down, up: site.limit_up };
        let mut sites = lock(&self.sites);
        let key = site.display_url();
        if limits == RateLimits::default() {
            // A site whose limits were taken off: its transfers still running go free too.
            if let Some(pair) = sites.remove(&key) {
                pair.set(limits);
            }
            return None;
        }
        let pair = sites.entry(key).or_default();
        pair.set(limits);
        Some(pair.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::queue_state::tests::queued_item;
    use crate::worker::{ItemState, queue::Direction};

    #[tokio::test(start_paused = true)]
    async fn a_site_limit_stricter_than_the_global_one_holds_for_that_site_only() {
        let service = RateLimitService::new(RateLimits { down: Some(100_000), up: None });
        let mut slow = queued_item("/a.bin", ItemState::Queued);
        slow.site.limit_down = Some(1000);
        let mut fast = queued_item("/b.bin", ItemState::Queued);
        fast.site.host = "fast.example".into();
        let mut other = queued_item("/c.bin", ItemState::Queued);
        other.site.host = "elsewhere.example".into();
        assert_eq!(service.for_item(&slow).piece(), Some(100));
        assert_eq!(service.for_item(&fast).piece(), Some(10_000), "no site limit: the global one");
        let mut upload = fast.clone();
        upload.direction = Direction::Upload;
        assert_eq!(service.for_item(&upload).piece(), None, "uploads have no limit");
        service.set_global(RateLimits { down: None, up: Some(2000) });
        assert_eq!(service.for_item(&upload).piece(), Some(200), "changed while running");
        assert_eq!(service.for_item(&other).piece(), None);
    }
}
