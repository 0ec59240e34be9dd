export { ControllersModule } from './controllers.module';
