export { EventEntity } from './event.entity';
export { ResourceEntity } from './resource.entity';
export { LogHeadEntity } from './log-head.entity';
