//! Search on this engine: not built yet; every search answers that it cannot.

use super::SledStore;
use crate::domain::{PageNumber, SearchTerms};
use crate::storage::search::{SearchPage, SearchStore, StorySearch};
use crate::storage::{PhotoPage, StoreError};

impl SearchStore for SledStore {
    fn search_stories(&self, _search: &StorySearch) -> Result<SearchPage, StoreError> {
        Err(StoreError::Invalid("search is not available"))
    }

    fn search_photos(
        &self,
        _terms: &SearchTerms,
        _page: PageNumber,
        _per_page: usize,
    ) -> Result<PhotoPage, StoreError> {
        Err(StoreError::Invalid("search is not available"))
    }

    fn reindex(&self, _progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError> {
        Ok(0)
    }
}
