export { HistoryApi } from './history.api';
